import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Additions to FerretDB v1.24.2's PostgreSQL backend, applied to its source before it is built
 * (see docs/decisions/embedded-engine.md for the measurements behind them):
 *
 * 1. Lookup indexes. FerretDB pushes an equality filter `{field: value}` down to PostgreSQL as
 *    `_jsonb->'field' @> value`, but indexes each declared Mongo index as a btree on
 *    `_jsonb->'field'`, which PostgreSQL cannot use for `@>`: every pushed-down query scanned the
 *    whole table. For every top-level field that leads a declared index, the patched backend also
 *    keeps a GIN (jsonb_path_ops) index on `_jsonb->'field'`, which serves `@>` for scalar values
 *    and for arrays holding the value (MongoDB's array matching). The `_id` index leads with `_id`,
 *    so every collection gets one for `_id`.
 * 2. `$in` pushdown. `{field: {$in: [...]}}` with only string and ObjectId values is pushed down as
 *    `_jsonb->'field' @> ANY(values)`, served by the same index. Upstream evaluates `$in` in FerretDB
 *    after decoding every document of the collection.
 * 3. An update that violates a unique index fails as a duplicate key (E11000, code 11000), as an
 *    insert does and as on MongoDB; upstream reports PostgreSQL's message as an internal error.
 *
 * 4. Exact filters (PostgreSQL engine only, `FERRETDB_SORT_LIMIT_PUSHDOWN=1`). A filter of
 *    equalities, `$in`, numeric and date ranges, literal regular expressions, `$and` and `$or` on
 *    top-level or dotted paths is translated to SQL that decides each document as MongoDB does, or
 *    marks it uncertain (a path through an array...). With such a filter, a sorted and limited find
 *    is sorted and limited in PostgreSQL (the uncertain documents are returned besides, unlimited),
 *    and `countDocuments` is counted there when no document is uncertain. With a skip, the documents
 *    certain to be skipped come back reduced to the fields the filter and the sort use.
 *
 * As upstream, what PostgreSQL returns is only a candidate set: FerretDB still matches, sorts, skips
 * and limits every returned document, so results are MongoDB's.
 */

const LOOKUP_INDEXES_GO = `package metadata

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
)

// lookupIndexSuffix ends the names of the GIN indexes kept by syncLookupIndexes.
const lookupIndexSuffix = "_lookup"

// syncLookupIndexes keeps one GIN (jsonb_path_ops) index on the expression _jsonb->'field' for
// every top-level field that leads one of the collection's indexes, and drops those no index
// leads any more. Pushed-down equality and $in filters have the form _jsonb->'field' @> value,
// which a btree index on _jsonb->'field' cannot serve and a GIN index on the same expression can.
// fastupdate is off so that a lookup never reads a list of pending entries that grows with the
// inserts since the last vacuum.
func syncLookupIndexes(ctx context.Context, p *pgxpool.Pool, dbName string, c *Collection) error {
	want := map[string]string{}

	for _, index := range c.Indexes {
		if len(index.Key) == 0 {
			continue
		}

		field := index.Key[0].Field
		if field == "" || strings.ContainsAny(field, ".$") {
			continue
		}

		want[lookupIndexName(c.TableName, field)] = field
	}

	rows, err := p.Query(
		ctx,
		"SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
		dbName, c.TableName,
	)
	if err != nil {
		return lazyerrors.Error(err)
	}

	existing, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return lazyerrors.Error(err)
	}

	have := map[string]bool{}

	for _, name := range existing {
		if !strings.HasSuffix(name, lookupIndexSuffix) {
			continue
		}

		if _, ok := want[name]; ok {
			have[name] = true
			continue
		}

		q := fmt.Sprintf("DROP INDEX IF EXISTS %s", pgx.Identifier{dbName, name}.Sanitize())
		if _, err = p.Exec(ctx, q); err != nil {
			return lazyerrors.Error(err)
		}
	}

	for name, field := range want {
		if have[name] {
			continue
		}

		q := fmt.Sprintf(
			"CREATE INDEX IF NOT EXISTS %s ON %s USING gin ((%s->%s) jsonb_path_ops) WITH (fastupdate = off)",
			pgx.Identifier{name}.Sanitize(),
			pgx.Identifier{dbName, c.TableName}.Sanitize(),
			DefaultColumn,
			quoteString(field),
		)
		if _, err = p.Exec(ctx, q); err != nil {
			return lazyerrors.Error(err)
		}
	}

	return nil
}

// lookupIndexName returns a name unique to the table and the field, at most 56 characters long.
func lookupIndexName(tableName, field string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(tableName + "\\x00" + field))

	prefix := tableName
	if len(prefix) > 40 {
		prefix = prefix[:40]
	}

	return fmt.Sprintf("%s_%08x%s", prefix, h.Sum32(), lookupIndexSuffix)
}
`;

const FILTER_IN_GO = `package postgresql

import (
	"errors"
	"fmt"

	"github.com/FerretDB/FerretDB/internal/backends/postgresql/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// filterIn returns the SQL filter for {k: {$in: [...]}} when every value is a string or an
// ObjectId: documents whose value under k is one of them, or an array holding one of them.
// Like every pushed-down filter it only narrows the rows; the handler applies the whole filter
// to what the query returns. Other values (numbers, null, regular expressions...) are not pushed down.
func filterIn(p *metadata.Placeholder, k any, v any, operator string) (filter string, args []any) {
	arr, ok := v.(*types.Array)
	if !ok {
		return "", nil
	}

	values := make([]string, 0, arr.Len())

	iter := arr.Iterator()
	defer iter.Close()

	for {
		_, e, err := iter.Next()
		if err != nil {
			if errors.Is(err, iterator.ErrIteratorDone) {
				break
			}

			return "", nil
		}

		switch e := e.(type) {
		case string, types.ObjectID:
			values = append(values, string(must.NotFail(sjson.MarshalSingleValue(e))))
		default:
			return "", nil
		}
	}

	filter = fmt.Sprintf("%s%s%s @> ANY(%s::jsonb[])", metadata.DefaultColumn, operator, p.Next(), p.Next())

	return filter, []any{k, values}
}
`;

const SORT_PUSHDOWN_GO = `package postgresql

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/backends/postgresql/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/lazyerrors"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// explainPrefix starts the queries of Explain; the sorted query repeats the select clause after it.
const explainPrefix = "EXPLAIN (VERBOSE true, FORMAT JSON) "

// isFieldSort reports whether sort orders by fields rather than by $natural (the handler passes
// such a sort, with skip + limit and the whole filter, only to this backend).
func isFieldSort(sort *types.Document) bool {
	return sort.Len() != 0 && !sort.Has("$natural")
}

// sortedQuery completes q (a select clause, possibly after explainPrefix) with the filter, the
// sort and the limit when the filter translates exactly (compileExact) and every sort key is a
// path it covers; otherwise with the upstream WHERE clause alone (false), leaving sort and limit to
// the handler. The rows the WHERE clause selects are read once into a materialized list of what
// the query needs of them (each reference to a stored document would decompress it again), and the
// documents returned are, by their row ids:
//
//   - those that certainly match and whose sort fields all hold values PostgreSQL orders as MongoDB
//     does (null or missing, numbers, strings under the cluster's C collation, ObjectIds as hex,
//     booleans, dates as milliseconds): ordered by MongoDB's order of types, then by value, and
//     limited;
//   - every one whose match is uncertain, or that matches with a sort field holding anything else
//     (an array, an object...): unordered and unlimited.
//
// The handler still filters, sorts, skips and limits what this returns, so the result is MongoDB's:
// the documents MongoDB would return first are among those this query returns.
//
// With skip (the first limit documents are skipped), when every selected row certainly matches and
// is orderable, the rows ranked before the first one returned with sort values different from it
// are returned reduced to _id and the fields the filter and the sort use (skippedDocument): the
// handler sorts them before that row whatever its order among equals, and skips them, so a reduced
// document is never answered, and it does not decode the skipped documents whole.
func sortedQuery(q, where string, args []any, p *metadata.Placeholder, schema, table string, filter, sort *types.Document, skip, limit int64) (string, []any, bool, error) {
	var prefix string
	if strings.HasPrefix(q, explainPrefix) {
		prefix, q = explainPrefix, strings.TrimPrefix(q, explainPrefix)
	}

	unchanged := *p
	fallback := func() (string, []any, bool, error) {
		*p = unchanged
		return prefix + q + where, args, false, nil
	}

	ec := &exactCompiler{column: "j", p: p, args: args}

	cond, ok := ec.compileExact(filter)
	if !ok {
		return fallback()
	}

	keys := sort.Keys()
	columns := make([]string, 0, 2*len(keys))
	order := make([]string, 0, 2*len(keys))
	unordered := make([]string, 0, len(keys))

	for i, k := range keys {
		var dir string

		switch v := must.NotFail(sort.Get(k)).(type) {
		case int64:
			if v < 0 {
				dir = " DESC"
			}
		default:
			return fallback()
		}

		path, ok := ec.path(k)
		if !ok {
			return fallback()
		}

		columns = append(columns,
			fmt.Sprintf(
				"(CASE %s WHEN 'int' THEN 2 WHEN 'long' THEN 2 WHEN 'double' THEN 2 WHEN 'string' THEN 3 "+
					"WHEN 'objectId' THEN 7 WHEN 'bool' THEN 8 WHEN 'date' THEN 9 ELSE 1 END) AS r%d",
				path.typ, i,
			),
			fmt.Sprintf("COALESCE(%s, 'null'::jsonb) AS v%d", path.value, i),
		)
		order = append(order, fmt.Sprintf("r%d%s", i, dir), fmt.Sprintf("v%d%s", i, dir))
		unordered = append(unordered, fmt.Sprintf(
			"%[3]s OR COALESCE(%[1]s NOT IN ('null', 'int', 'long', 'string', 'objectId', 'bool', 'date') "+
				"AND NOT (%[1]s = 'double' AND jsonb_typeof(%[2]s) = 'number'), false)",
			path.typ, path.value, path.throughArr,
		))
	}

	var limitClause string
	if limit > 0 {
		limitClause = " LIMIT " + ec.param(limit)
	}

	keyNames := make([]string, 0, len(keys))
	for i := range keys {
		keyNames = append(keyNames, fmt.Sprintf("r%d", i), fmt.Sprintf("v%d", i))
	}

	// _jsonb || '{}' is the document decompressed once; everything else is read from that copy.
	keyList := fmt.Sprintf(
		"WITH _ferretdb_sort_keys AS MATERIALIZED (SELECT c, %s AS u, %s AS m, (%s) AS o, %s "+
			"FROM (SELECT ctid AS c, %s || '{}'::jsonb AS j FROM %s%s OFFSET 0) AS d), "+
			"_ferretdb_ranked AS MATERIALIZED (SELECT c, %s, row_number() OVER (ORDER BY %s) AS n "+
			"FROM _ferretdb_sort_keys WHERE NOT u AND m AND NOT o ORDER BY %s%s) ",
		cond.uncertain, cond.matches, strings.Join(unordered, " OR "), strings.Join(columns, ", "),
		metadata.DefaultColumn, pgx.Identifier{schema, table}.Sanitize(), where,
		strings.Join(keyNames, ", "), strings.Join(order, ", "), strings.Join(order, ", "), limitClause,
	)
	rowIDs := "(SELECT c FROM _ferretdb_ranked) UNION ALL (SELECT c FROM _ferretdb_sort_keys WHERE u OR (m AND o))"

	selected := q
	suffix := " " + metadata.DefaultColumn + " FROM " + pgx.Identifier{schema, table}.Sanitize()
	if skip > 0 && strings.HasSuffix(q, suffix) {
		fields := map[string]struct{}{"_id": {}}
		filterFields(filter, fields)
		for _, k := range keys {
			fields[strings.SplitN(k, ".", 2)[0]] = struct{}{}
		}

		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}

		skipped := fmt.Sprintf(
			"SELECT a.c FROM _ferretdb_ranked AS a WHERE a.n <= %[1]s "+
				"AND NOT EXISTS (SELECT 1 FROM _ferretdb_sort_keys WHERE u OR (m AND o)) "+
				"AND NOT EXISTS (SELECT 1 FROM _ferretdb_ranked AS b WHERE b.n = %[1]s + 1 AND (b.%[2]s) IS NOT DISTINCT FROM (a.%[3]s))",
			ec.param(skip), strings.Join(keyNames, ", b."), strings.Join(keyNames, ", a."),
		)
		selected = strings.TrimSuffix(q, suffix) + fmt.Sprintf(
			" CASE WHEN ctid = ANY(ARRAY(%s)) THEN %s ELSE %s END AS %s FROM %s",
			skipped, skippedDocument(metadata.DefaultColumn, ec.param(names)),
			metadata.DefaultColumn, metadata.DefaultColumn, pgx.Identifier{schema, table}.Sanitize(),
		)
	}

	return prefix + keyList + selected + " WHERE ctid = ANY(ARRAY(" + rowIDs + "))", ec.args, true, nil
}

// skippedDocument is the stored document in column reduced to the top-level fields named in the
// text array param, with its schema ($s: the keys in their order, and their properties) reduced alike.
func skippedDocument(column, param string) string {
	return fmt.Sprintf(
		"(jsonb_build_object('$s', jsonb_build_object("+
			"'$k', COALESCE((SELECT jsonb_agg(k ORDER BY i) FROM jsonb_array_elements_text(%[1]s->'$s'->'$k') "+
			"WITH ORDINALITY AS e(k, i) WHERE k = ANY(%[2]s::text[])), '[]'::jsonb), "+
			"'p', COALESCE((SELECT jsonb_object_agg(key, value) FROM jsonb_each(%[1]s->'$s'->'p') "+
			"WHERE key = ANY(%[2]s::text[])), '{}'::jsonb))) || "+
			"COALESCE((SELECT jsonb_object_agg(key, value) FROM jsonb_each(%[1]s) WHERE key = ANY(%[2]s::text[])), '{}'::jsonb))",
		column, param,
	)
}

// filterFields adds the top-level fields filter names (through $and, $or and $nor) to fields.
func filterFields(filter *types.Document, fields map[string]struct{}) {
	for _, k := range filter.Keys() {
		if !strings.HasPrefix(k, "$") {
			fields[strings.SplitN(k, ".", 2)[0]] = struct{}{}
			continue
		}

		arr, ok := must.NotFail(filter.Get(k)).(*types.Array)
		if !ok {
			continue
		}

		for i := 0; i < arr.Len(); i++ {
			if d, ok := must.NotFail(arr.Get(i)).(*types.Document); ok {
				filterFields(d, fields)
			}
		}
	}
}

// countQuery counts the documents matching filter when it translates exactly and no document's
// match is uncertain; otherwise the result's Count is nil and the handler counts.
func countQuery(ctx context.Context, pool *pgxpool.Pool, schema, table, where string, args []any, p *metadata.Placeholder, filter *types.Document) (*backends.QueryResult, error) {
	ec := &exactCompiler{column: "j", p: p, args: args}

	cond, ok := ec.compileExact(filter)
	if !ok {
		return &backends.QueryResult{Iter: newQueryIterator(ctx, nil, false)}, nil
	}

	q := fmt.Sprintf(
		"SELECT count(*) FILTER (WHERE NOT u AND m), count(*) FILTER (WHERE u) FROM "+
			"(SELECT %s AS u, %s AS m FROM (SELECT %s || '{}'::jsonb AS j FROM %s%s OFFSET 0) AS d) AS e",
		cond.uncertain, cond.matches, metadata.DefaultColumn, pgx.Identifier{schema, table}.Sanitize(), where,
	)

	var n, unsure int64
	if err := pool.QueryRow(ctx, q, ec.args...).Scan(&n, &unsure); err != nil {
		return nil, lazyerrors.Error(err)
	}

	res := &backends.QueryResult{Iter: newQueryIterator(ctx, nil, false)}
	if unsure == 0 {
		res.Count = &n
	}

	return res, nil
}
`;

const EXACT_FILTER_GO = `package postgresql

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/FerretDB/FerretDB/internal/backends/postgresql/metadata"
	"github.com/FerretDB/FerretDB/internal/handler/sjson"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// exactCondition is a filter translated to SQL over the jsonb document column j, in two parts:
// uncertain is true for the documents whose match PostgreSQL cannot decide as MongoDB does (a path
// through an array, a double that is not a number...); for every other document, matches is
// exactly MongoDB's answer. Both are never NULL.
type exactCondition struct {
	matches   string
	uncertain string
}

// exactCompiler translates a filter into an exactCondition, allocating query parameters.
type exactCompiler struct {
	column string
	p      *metadata.Placeholder
	args   []any
}

func (ec *exactCompiler) param(v any) string {
	ec.args = append(ec.args, v)
	return ec.p.Next()
}

// compileExact returns the exactCondition of filter, or false when the filter holds an operator or
// a value this translation does not cover (the query is then left to the handler, as upstream).
// Covered: top-level $and and $or; on any path without $ or numeric elements, equality and $in with
// strings, ObjectIds, booleans, numbers and dates; $gt, $gte, $lt and $lte with numbers and dates;
// and $regex made of literal characters only, with the options i, m and s.
func (ec *exactCompiler) compileExact(filter *types.Document) (exactCondition, bool) {
	parts := make([]exactCondition, 0, filter.Len())

	for _, k := range filter.Keys() {
		v := must.NotFail(filter.Get(k))

		var part exactCondition
		var ok bool

		switch k {
		case "$and", "$or":
			part, ok = ec.compileList(k, v)
		default:
			part, ok = ec.compileField(k, v)
		}

		if !ok {
			return exactCondition{}, false
		}

		parts = append(parts, part)
	}

	return allOf(parts), true
}

func (ec *exactCompiler) compileList(op string, v any) (exactCondition, bool) {
	arr, ok := v.(*types.Array)
	if !ok || arr.Len() == 0 {
		return exactCondition{}, false
	}

	parts := make([]exactCondition, 0, arr.Len())

	for i := 0; i < arr.Len(); i++ {
		doc, ok := must.NotFail(arr.Get(i)).(*types.Document)
		if !ok {
			return exactCondition{}, false
		}

		part, ok := ec.compileExact(doc)
		if !ok {
			return exactCondition{}, false
		}

		parts = append(parts, part)
	}

	if op == "$and" {
		return allOf(parts), true
	}

	return anyOf(parts), true
}

// allOf: certain when every part is; then it matches when every part does.
func allOf(parts []exactCondition) exactCondition {
	if len(parts) == 0 {
		return exactCondition{matches: "true", uncertain: "false"}
	}

	matches := make([]string, len(parts))
	uncertain := make([]string, len(parts))

	for i, part := range parts {
		matches[i] = part.matches
		uncertain[i] = part.uncertain
	}

	return exactCondition{
		matches:   "(" + strings.Join(matches, " AND ") + ")",
		uncertain: "(" + strings.Join(uncertain, " OR ") + ")",
	}
}

// anyOf: matches when a certain part matches; otherwise uncertain when any part is.
func anyOf(parts []exactCondition) exactCondition {
	certain := make([]string, len(parts))
	uncertain := make([]string, len(parts))

	for i, part := range parts {
		certain[i] = "(NOT " + part.uncertain + " AND " + part.matches + ")"
		uncertain[i] = part.uncertain
	}

	matches := "(" + strings.Join(certain, " OR ") + ")"

	return exactCondition{
		matches:   matches,
		uncertain: "(NOT " + matches + " AND (" + strings.Join(uncertain, " OR ") + "))",
	}
}

// jsonPath holds the SQL expressions of a dotted path: its value, its type (from FerretDB's
// schema) and whether any of its steps is an array, where MongoDB would look into the elements.
type jsonPath struct {
	value      string
	typ        string
	throughArr string
}

func (ec *exactCompiler) path(key string) (jsonPath, bool) {
	if key == "" {
		return jsonPath{}, false
	}

	elems := strings.Split(key, ".")
	schema := make([]string, 0, 3*len(elems)+1)
	arrays := make([]string, 0, len(elems))

	for _, e := range elems {
		if e == "" || strings.HasPrefix(e, "$") {
			return jsonPath{}, false
		}

		if _, err := strconv.Atoi(e); err == nil {
			return jsonPath{}, false // an array index or a field named by digits: left to the handler
		}

		schema = append(schema, "$s", "p", e)
		arrays = append(arrays, fmt.Sprintf("(%s #>> %s) = 'array'", ec.column, ec.param(append(slices.Clone(schema), "t"))))
	}

	return jsonPath{
		value:      fmt.Sprintf("(%s #> %s)", ec.column, ec.param(elems)),
		typ:        fmt.Sprintf("(%s #>> %s)", ec.column, ec.param(append(schema, "t"))),
		throughArr: "COALESCE(" + strings.Join(arrays, " OR ") + ", false)",
	}, true
}

func (ec *exactCompiler) compileField(key string, v any) (exactCondition, bool) {
	path, ok := ec.path(key)
	if !ok {
		return exactCondition{}, false
	}

	switch v := v.(type) {
	case *types.Document:
		return ec.compileOperators(path, v)
	case types.Regex:
		return ec.compileRegex(path, v.Pattern, v.Options)
	default:
		return ec.compileEqual(path, v)
	}
}

func (ec *exactCompiler) compileOperators(path jsonPath, ops *types.Document) (exactCondition, bool) {
	if ops.Len() == 0 {
		return exactCondition{}, false
	}

	if ops.Has("$regex") {
		pattern, ok := must.NotFail(ops.Get("$regex")).(string)
		if !ok {
			return exactCondition{}, false
		}

		var options string

		for _, k := range ops.Keys() {
			switch k {
			case "$regex":
			case "$options":
				if options, ok = must.NotFail(ops.Get(k)).(string); !ok {
					return exactCondition{}, false
				}
			default:
				return exactCondition{}, false
			}
		}

		return ec.compileRegex(path, pattern, options)
	}

	parts := make([]exactCondition, 0, ops.Len())

	for _, op := range ops.Keys() {
		v := must.NotFail(ops.Get(op))

		var part exactCondition
		var ok bool

		switch op {
		case "$eq":
			part, ok = ec.compileEqual(path, v)
		case "$in":
			part, ok = ec.compileIn(path, v)
		case "$gt", "$gte", "$lt", "$lte":
			part, ok = ec.compileRange(path, op, v)
		default:
			return exactCondition{}, false
		}

		if !ok {
			return exactCondition{}, false
		}

		parts = append(parts, part)
	}

	return allOf(parts), true
}

func (ec *exactCompiler) compileIn(path jsonPath, v any) (exactCondition, bool) {
	arr, ok := v.(*types.Array)
	if !ok {
		return exactCondition{}, false
	}

	if arr.Len() == 0 {
		return exactCondition{}, false // rare; the path's parameters would be left unused
	}

	parts := make([]exactCondition, 0, arr.Len())

	for i := 0; i < arr.Len(); i++ {
		part, ok := ec.compileEqual(path, must.NotFail(arr.Get(i)))
		if !ok {
			return exactCondition{}, false
		}

		parts = append(parts, part)
	}

	return anyOf(parts), true
}

// numeric returns the SQL for a number or a date compared as MongoDB does (numbers of any type with
// each other, dates with dates), or false for other values.
func (ec *exactCompiler) numeric(path jsonPath, v any) (types string, value string, ok bool) {
	switch v := v.(type) {
	case int32:
		return "('int', 'long', 'double')", ec.param(strconv.FormatInt(int64(v), 10)), true
	case int64:
		return "('int', 'long', 'double')", ec.param(strconv.FormatInt(v, 10)), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", "", false
		}

		return "('int', 'long', 'double')", ec.param(strconv.FormatFloat(v, 'g', -1, 64)), true
	case time.Time:
		return "('date')", ec.param(strconv.FormatInt(v.UnixMilli(), 10)), true
	default:
		return "", "", false
	}
}

// uncertainValue: a path through an array, or a double stored as something else than a number.
func uncertainValue(path jsonPath) string {
	return fmt.Sprintf("(%s OR COALESCE(%s = 'double' AND jsonb_typeof(%s) <> 'number', false))",
		path.throughArr, path.typ, path.value)
}

func (ec *exactCompiler) compileEqual(path jsonPath, v any) (exactCondition, bool) {
	switch v.(type) {
	case string, types.ObjectID, bool:
		return exactCondition{
			matches: fmt.Sprintf("COALESCE(%s = %s AND %s = %s::jsonb, false)",
				path.typ, ec.param(sjson.GetTypeOfValue(v)),
				path.value, ec.param(string(must.NotFail(sjson.MarshalSingleValue(v))))),
			uncertain: uncertainValue(path),
		}, true
	}

	typesIn, value, ok := ec.numeric(path, v)
	if !ok {
		return exactCondition{}, false
	}

	return exactCondition{
		matches: fmt.Sprintf(
			"COALESCE(CASE WHEN %s IN %s AND jsonb_typeof(%s) = 'number' THEN (%s)::numeric = %s::numeric END, false)",
			path.typ, typesIn, path.value, path.value, value),
		uncertain: uncertainValue(path),
	}, true
}

func (ec *exactCompiler) compileRange(path jsonPath, op string, v any) (exactCondition, bool) {
	typesIn, value, ok := ec.numeric(path, v)
	if !ok {
		return exactCondition{}, false
	}

	sqlOp := map[string]string{"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}[op]

	return exactCondition{
		matches: fmt.Sprintf(
			"COALESCE(CASE WHEN %s IN %s AND jsonb_typeof(%s) = 'number' THEN (%s)::numeric %s %s::numeric END, false)",
			path.typ, typesIn, path.value, path.value, sqlOp, value),
		uncertain: uncertainValue(path),
	}, true
}

// compileRegex covers patterns of literal characters (letters, digits, spaces, backslash-escaped
// punctuation, any other character but the regular expression syntax): each becomes a PostgreSQL
// bracket expression of the characters Go's case folding makes equal to it under the i option,
// so PostgreSQL's case-sensitive match agrees with the handler's Go regexp for every string.
func (ec *exactCompiler) compileRegex(path jsonPath, pattern, options string) (exactCondition, bool) {
	fold := false

	for _, o := range options {
		switch o {
		case 'i':
			fold = true
		case 'm', 's': // no anchors and no dot in a literal pattern
		default:
			return exactCondition{}, false
		}
	}

	var sql strings.Builder

	for i := 0; i < len(pattern); {
		r, size := utf8.DecodeRuneInString(pattern[i:])
		if r == utf8.RuneError && size <= 1 {
			return exactCondition{}, false
		}

		i += size

		switch {
		case r == backslash:
			if i >= len(pattern) {
				return exactCondition{}, false
			}

			r, size = utf8.DecodeRuneInString(pattern[i:])
			i += size

			if r >= utf8.RuneSelf || !unicode.IsPunct(r) && !unicode.IsSymbol(r) {
				return exactCondition{}, false // a class or an assertion (d, w, b...): not a literal
			}
		case strings.ContainsRune(".^$*+?()[]{}|", r):
			return exactCondition{}, false
		}

		sql.WriteString("[")

		for _, c := range foldOrbit(r, fold) {
			if c > 0xFFFF {
				fmt.Fprintf(&sql, "%cU%08X", backslash, c)
			} else {
				fmt.Fprintf(&sql, "%cu%04X", backslash, c)
			}
		}

		sql.WriteString("]")
	}

	return exactCondition{
		matches: fmt.Sprintf("COALESCE(CASE WHEN %s = 'string' THEN (%s #>> '{}') ~ %s END, false)",
			path.typ, path.value, ec.param(sql.String())),
		uncertain: path.throughArr,
	}, true
}

// backslash is written by its code: this source is kept in a JavaScript template literal.
const backslash = rune(92)

// foldOrbit returns r and, when fold is set, every rune Unicode simple folding makes equal to it.
func foldOrbit(r rune, fold bool) []rune {
	orbit := []rune{r}
	if !fold {
		return orbit
	}

	for c := unicode.SimpleFold(r); c != r; c = unicode.SimpleFold(c) {
		orbit = append(orbit, c)
	}

	return orbit
}
`;

const SORT_LIMIT_HANDLER_GO = `package handler

import (
	"context"
	"os"
	"strings"

	"github.com/FerretDB/FerretDB/internal/backends"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/iterator"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// sortLimitPushdownEnabled is set for the PostgreSQL backend only: the SQLite backend orders by
// $natural alone and does not count.
var sortLimitPushdownEnabled = os.Getenv("FERRETDB_SORT_LIMIT_PUSHDOWN") == "1"

// pushSortAndLimit reports whether a find's sort and skip + limit are offered to the backend
// (with the whole filter), which applies them only when it can apply the filter exactly.
func pushSortAndLimit(sort *types.Document, skip, limit int64) bool {
	if !sortLimitPushdownEnabled || limit <= 0 || skip < 0 || skip+limit > 1<<30 || sort.Len() == 0 {
		return false
	}

	for _, k := range sort.Keys() {
		if k == "$natural" {
			return false
		}

		if _, ok := must.NotFail(sort.Get(k)).(int64); !ok {
			return false
		}
	}

	return true
}

// withoutDottedKeys is the filter the backend may narrow by (upstream leaves dotted paths out).
func (h *Handler) withoutDottedKeys(filter *types.Document) *types.Document {
	if h.EnableNestedPushdown || filter == nil {
		return filter
	}

	res := filter.DeepCopy()

	for _, k := range res.Keys() {
		if strings.ContainsRune(k, '.') {
			res.Remove(k)
		}
	}

	return res
}

// pushedCount answers the pipeline [{$match: filter}, {$group: {_id: constant, n: {$sum: 1}}}]
// (what drivers send for countDocuments) with a count made by the backend, when it can count
// exactly; otherwise it returns nil and the pipeline runs as usual.
func (h *Handler) pushedCount(ctx context.Context, c backends.Collection, stages []any) iterator.Interface[struct{}, *types.Document] {
	if !sortLimitPushdownEnabled || h.DisablePushdown || len(stages) != 2 {
		return nil
	}

	match, ok := stages[0].(*types.Document)
	if !ok || match.Len() != 1 || !match.Has("$match") {
		return nil
	}

	filter, ok := must.NotFail(match.Get("$match")).(*types.Document)
	if !ok {
		return nil
	}

	group, ok := stages[1].(*types.Document)
	if !ok || group.Len() != 1 || !group.Has("$group") {
		return nil
	}

	spec, ok := must.NotFail(group.Get("$group")).(*types.Document)
	if !ok || spec.Len() != 2 || !spec.Has("_id") {
		return nil
	}

	id := must.NotFail(spec.Get("_id"))
	switch id := id.(type) {
	case int32, int64, float64, bool, types.NullType:
	case string:
		if strings.HasPrefix(id, "$") {
			return nil
		}
	default:
		return nil
	}

	var field string

	for _, k := range spec.Keys() {
		if k != "_id" {
			field = k
		}
	}

	if field == "" || strings.ContainsAny(field, ".$") {
		return nil
	}

	sum, ok := must.NotFail(spec.Get(field)).(*types.Document)
	if !ok || sum.Len() != 1 || !sum.Has("$sum") {
		return nil
	}

	switch one := must.NotFail(sum.Get("$sum")).(type) {
	case int32:
		ok = one == 1
	case int64:
		ok = one == 1
	case float64:
		ok = one == 1
	default:
		ok = false
	}

	if !ok {
		return nil
	}

	res, err := c.Query(ctx, &backends.QueryParams{
		Filter:     h.withoutDottedKeys(filter),
		FullFilter: filter,
		CountOnly:  true,
	})
	if err != nil || res == nil {
		return nil
	}

	res.Iter.Close()

	if res.Count == nil {
		return nil
	}

	docs := []*types.Document{}

	if *res.Count > 0 {
		var n any = *res.Count
		if *res.Count <= 1<<31-1 {
			n = int32(*res.Count)
		}

		docs = append(docs, must.NotFail(types.NewDocument("_id", id, field, n)))
	}

	return iterator.Values(iterator.ForSlice(docs))
}
`;

interface Edit {
  file: string;
  /** Text that must occur exactly `occurrences` times (default once) in the file; each is replaced. */
  anchor: string;
  occurrences?: number;
  replacement: string;
}

const SYNC_CALL =
  '\tif err := syncLookupIndexes(ctx, p, dbName, c); err != nil {\n\t\treturn lazyerrors.Error(err)\n\t}\n\n';
const MARSHAL = '\tb, err := sjson.Marshal(c.marshal())';
const REGISTRY = 'internal/backends/postgresql/metadata/registry.go';

const EDITS: Edit[] = [
  {
    // end of indexesCreate: after the new indexes, before the metadata is saved
    file: REGISTRY,
    anchor: `\t\tallPgIndexes[index.PgIndex] = collectionName\n\t}\n\n${MARSHAL}`,
    replacement: `\t\tallPgIndexes[index.PgIndex] = collectionName\n\t}\n\n${SYNC_CALL}${MARSHAL}`,
  },
  {
    // end of indexesDrop
    file: REGISTRY,
    anchor: `\t\tc.Indexes = slices.Delete(c.Indexes, i, i+1)\n\t}\n\n${MARSHAL}`,
    replacement: `\t\tc.Indexes = slices.Delete(c.Indexes, i, i+1)\n\t}\n\n${SYNC_CALL}${MARSHAL}`,
  },
  {
    // UpdateAll: a unique-index violation is a duplicate key (E11000, code 11000), as on inserts
    file: 'internal/backends/postgresql/collection.go',
    anchor: '\t\t\tif tag, err = tx.Exec(ctx, q, b, arg); err != nil {\n\t\t\t\treturn lazyerrors.Error(err)\n',
    replacement:
      '\t\t\tif tag, err = tx.Exec(ctx, q, b, arg); err != nil {\n' +
      '\t\t\t\tvar pgErr *pgconn.PgError\n' +
      '\t\t\t\tif errors.As(err, &pgErr) && pgErr.Code == pgerrcode.UniqueViolation {\n' +
      '\t\t\t\t\treturn backends.NewError(backends.ErrorCodeInsertDuplicateID, err)\n' +
      '\t\t\t\t}\n\n' +
      '\t\t\t\treturn lazyerrors.Error(err)\n',
  },
  {
    // prepareWhereClause: operators of a field's sub-document
    file: 'internal/backends/postgresql/query.go',
    anchor: '\t\t\t\tdefault:\n\t\t\t\t\t// $gt and $lt\n',
    replacement:
      '\t\t\t\tcase "$in":\n' +
      '\t\t\t\t\tif f, a := filterIn(p, key, v, keyOperator); f != "" {\n' +
      '\t\t\t\t\t\tfilters = append(filters, f)\n' +
      '\t\t\t\t\t\targs = append(args, a...)\n' +
      '\t\t\t\t\t}\n\n' +
      '\t\t\t\tdefault:\n\t\t\t\t\t// $gt and $lt\n',
  },
  {
    // Query: a count, or a sort on fields with a limit, computed in PostgreSQL when the filter translates exactly
    file: 'internal/backends/postgresql/collection.go',
    anchor:
      '\tq += where\n\n\tsort, sortArgs := prepareOrderByClause(params.Sort)\n\n\tq += sort\n\targs = append(args, sortArgs...)\n\n' +
      '\tif params.Limit != 0 {\n\t\tq += fmt.Sprintf(` LIMIT %s`, placeholder.Next())\n\t\targs = append(args, params.Limit)\n\t}\n',
    replacement:
      '\tif params.CountOnly {\n' +
      '\t\treturn countQuery(ctx, p, c.dbName, meta.TableName, where, args, &placeholder, params.FullFilter)\n' +
      '\t}\n\n' +
      '\tif isFieldSort(params.Sort) {\n' +
      '\t\tif q, args, _, err = sortedQuery(q, where, args, &placeholder, c.dbName, meta.TableName, params.FullFilter, params.Sort, params.Skip, params.Limit); err != nil {\n' +
      '\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n' +
      '\t} else {\n' +
      '\t\tq += where\n\n\t\tsort, sortArgs := prepareOrderByClause(params.Sort)\n\n\t\tq += sort\n\t\targs = append(args, sortArgs...)\n\n' +
      '\t\tif params.Limit != 0 {\n\t\t\tq += fmt.Sprintf(` LIMIT %s`, placeholder.Next())\n\t\t\targs = append(args, params.Limit)\n\t\t}\n\t}\n',
  },
  {
    // Explain: the same sorted query
    file: 'internal/backends/postgresql/collection.go',
    anchor:
      '\tq += where\n\n\tsort, sortArgs := prepareOrderByClause(params.Sort)\n\tres.SortPushdown = sort != ""\n\n\tq += sort\n\targs = append(args, sortArgs...)\n\n' +
      '\tif params.Limit != 0 {\n\t\tq += fmt.Sprintf(` LIMIT %s`, placeholder.Next())\n\t\targs = append(args, params.Limit)\n\t\tres.LimitPushdown = true\n\t}\n',
    replacement:
      '\tif isFieldSort(params.Sort) {\n' +
      '\t\tvar pushed bool\n' +
      '\t\tif q, args, pushed, err = sortedQuery(q, where, args, &placeholder, c.dbName, meta.TableName, params.FullFilter, params.Sort, 0, params.Limit); err != nil {\n' +
      '\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\n' +
      '\t\tres.SortPushdown = pushed\n\t\tres.LimitPushdown = pushed && params.Limit != 0\n' +
      '\t} else {\n' +
      '\t\tq += where\n\n\t\tsort, sortArgs := prepareOrderByClause(params.Sort)\n\t\tres.SortPushdown = sort != ""\n\n\t\tq += sort\n\t\targs = append(args, sortArgs...)\n\n' +
      '\t\tif params.Limit != 0 {\n\t\t\tq += fmt.Sprintf(` LIMIT %s`, placeholder.Next())\n\t\t\targs = append(args, params.Limit)\n\t\t\tres.LimitPushdown = true\n\t\t}\n\t}\n',
  },
  {
    // the backend contract of Query and Explain: a sort on fields is allowed as well as $natural
    file: 'internal/backends/collection.go',
    occurrences: 2,
    anchor: '\tif params.Sort.Len() != 0 {\n\t\tmust.BeTrue(params.Sort.Len() == 1)\n',
    replacement:
      '\tif params.Sort.Len() != 0 && params.Sort.Has("$natural") {\n\t\tmust.BeTrue(params.Sort.Len() == 1)\n',
  },
  {
    // the parameters and result of Query: the whole filter, a count
    file: 'internal/backends/collection.go',
    anchor: 'type QueryParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n',
    replacement:
      'type QueryParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n\n' +
      '\tFullFilter *types.Document // the whole filter, with a field sort or CountOnly (PostgreSQL only)\n' +
      '\tCountOnly  bool            // count the documents matching FullFilter into QueryResult.Count, if exactly possible\n' +
      '\tSkip       int64           // with a field sort: the first Skip of the Limit documents are skipped by the caller\n',
  },
  {
    file: 'internal/backends/collection.go',
    anchor: 'type QueryResult struct {\n\tIter types.DocumentsIterator\n}\n',
    replacement: 'type QueryResult struct {\n\tIter  types.DocumentsIterator\n\tCount *int64\n}\n',
  },
  {
    file: 'internal/backends/collection.go',
    anchor: 'type ExplainParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n}\n',
    replacement:
      'type ExplainParams struct {\n\tFilter *types.Document\n\tSort   *types.Document\n\tLimit  int64\n\n\tFullFilter *types.Document\n}\n',
  },
  ...['internal/handler/msg_find.go', 'internal/handler/msg_explain.go'].map((file) => ({
    // find and explain: offer the sort, skip + limit and the whole filter to the backend
    file,
    anchor:
      '\tif !h.DisablePushdown && params.Filter.Len() == 0 && params.Sort.Len() == 0 && params.Skip == 0 {\n' +
      '\t\tqp.Limit = params.Limit\n\t}\n',
    replacement:
      '\tif !h.DisablePushdown && params.Filter.Len() == 0 && params.Sort.Len() == 0 && params.Skip == 0 {\n' +
      '\t\tqp.Limit = params.Limit\n' +
      '\t} else if !h.DisablePushdown && !cInfo.Capped() && pushSortAndLimit(params.Sort, params.Skip, params.Limit) {\n' +
      '\t\tqp.Sort = params.Sort\n\t\tqp.Limit = params.Skip + params.Limit\n\t\tqp.FullFilter = params.Filter\n\t}\n',
  })),
  {
    // find: the backend may return the documents the handler skips reduced
    file: 'internal/handler/msg_find.go',
    anchor: '\t\tqp.FullFilter = params.Filter\n\t}\n',
    replacement: '\t\tqp.FullFilter = params.Filter\n\t\tqp.Skip = params.Skip\n\t}\n',
  },
  {
    // aggregate: a count pipeline counted by the backend when it can
    file: 'internal/handler/msg_aggregate.go',
    anchor:
      '\tif len(collStatsDocuments) == len(stagesDocuments) {\n\t\tfilter, sort := aggregations.GetPushdownQuery(aggregationStages)\n',
    replacement:
      '\tif counted := h.pushedCount(ctx, c, aggregationStages); counted != nil {\n\t\titer = counted\n' +
      '\t} else if len(collStatsDocuments) == len(stagesDocuments) {\n\t\tfilter, sort := aggregations.GetPushdownQuery(aggregationStages)\n',
  },
];

const NEW_FILES: Record<string, string> = {
  'internal/backends/postgresql/metadata/lookup_indexes.go': LOOKUP_INDEXES_GO,
  'internal/backends/postgresql/filter_in.go': FILTER_IN_GO,
  'internal/backends/postgresql/sort_pushdown.go': SORT_PUSHDOWN_GO,
  'internal/backends/postgresql/exact_filter.go': EXACT_FILTER_GO,
  'internal/handler/sort_limit_pushdown.go': SORT_LIMIT_HANDLER_GO,
};

/** Changes whenever the patch does, so a binary built with another patch is not reused. */
export const FERRETDB_PATCH_ID = createHash('sha256')
  .update(JSON.stringify({ EDITS, NEW_FILES }))
  .digest('hex')
  .slice(0, 8);

/** Applies the patch to a writable copy of FerretDB v1.24.2's source; throws if it does not fit. */
export function applyFerretDbPatch(sourceDir: string): void {
  for (const edit of EDITS) {
    const path = join(sourceDir, edit.file);
    const text = readFileSync(path, 'utf8');
    const occurrences = text.split(edit.anchor).length - 1;
    if (occurrences !== (edit.occurrences ?? 1)) {
      throw new Error(`the FerretDB patch does not fit ${edit.file} (anchor found ${occurrences} times)`);
    }
    writeFileSync(
      path,
      text.replaceAll(edit.anchor, () => edit.replacement),
    );
  }
  for (const [file, content] of Object.entries(NEW_FILES)) writeFileSync(join(sourceDir, file), content);
}
