import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Two additions to FerretDB v1.24.2's PostgreSQL backend, applied to its source before it is built
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
 * As upstream, a pushed-down filter only narrows the rows read: FerretDB still matches every
 * returned document against the whole filter, so results are unchanged.
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
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/FerretDB/FerretDB/internal/backends/postgresql/metadata"
	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// explainPrefix starts the queries of Explain; the sorted query repeats the select clause after it.
const explainPrefix = "EXPLAIN (VERBOSE true, FORMAT JSON) "

// isFieldSort reports whether sort orders by fields rather than by $natural. The handler passes
// such a sort (with a limit) only when the filter is pushed down exactly and every key is top-level.
func isFieldSort(sort *types.Document) bool {
	if sort.Len() == 0 {
		return false
	}

	for _, k := range sort.Keys() {
		if k == "$natural" {
			return false
		}
	}

	return true
}

// fieldSortQuery completes q (a select clause, possibly after explainPrefix) with the filter, the
// sort and the limit. The rows the filter selects are read once into a materialized list of their
// sort keys (each reference to a stored document would decompress it again), and the documents
// returned are, by their row ids:
//
//   - those whose sort fields all hold values PostgreSQL orders as MongoDB does (null or missing,
//     numbers, strings under the cluster's C collation, ObjectIds as hex, booleans, dates as
//     milliseconds): ordered by MongoDB's order of types, then by value, and limited;
//   - every other one (a sort field holding an array, an object, binary data...), unordered and
//     unlimited, since MongoDB orders those by rules jsonb does not share.
//
// The handler still sorts, skips and limits what this returns, so the result is MongoDB's: the
// documents MongoDB would return first are among those this query returns.
func fieldSortQuery(q, where string, args []any, p *metadata.Placeholder, schema, table string, sort *types.Document, limit int64) (string, []any, error) {
	var prefix string
	if strings.HasPrefix(q, explainPrefix) {
		prefix, q = explainPrefix, strings.TrimPrefix(q, explainPrefix)
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
			return "", nil, fmt.Errorf("unexpected sort value %v for %q", v, k)
		}

		key := p.Next()
		args = append(args, k)

		t := fmt.Sprintf("(j->'$s'->'p'->%s->>'t')", key)
		columns = append(columns,
			fmt.Sprintf(
				"(CASE %s WHEN 'int' THEN 2 WHEN 'long' THEN 2 WHEN 'double' THEN 2 WHEN 'string' THEN 3 "+
					"WHEN 'objectId' THEN 7 WHEN 'bool' THEN 8 WHEN 'date' THEN 9 ELSE 1 END) AS r%d",
				t, i,
			),
			fmt.Sprintf("COALESCE(j->%s, 'null'::jsonb) AS v%d", key, i),
		)
		order = append(order, fmt.Sprintf("r%d%s", i, dir), fmt.Sprintf("v%d%s", i, dir))
		unordered = append(unordered, fmt.Sprintf(
			"(%[1]s IS NOT NULL AND %[1]s NOT IN ('null', 'int', 'long', 'string', 'objectId', 'bool', 'date') "+
				"AND NOT (%[1]s = 'double' AND jsonb_typeof(j->%[2]s) = 'number'))",
			t, key,
		))
	}

	var limitClause string
	if limit > 0 {
		limitClause = " LIMIT " + p.Next()
		args = append(args, limit)
	}

	// _jsonb || '{}' is the document decompressed once; the keys are read from that copy.
	keyList := fmt.Sprintf(
		"WITH _ferretdb_sort_keys AS MATERIALIZED (SELECT c, COALESCE(%s, false) AS o, %s "+
			"FROM (SELECT ctid AS c, %s || '{}'::jsonb AS j FROM %s%s OFFSET 0) AS d) ",
		strings.Join(unordered, " OR "), strings.Join(columns, ", "),
		metadata.DefaultColumn, pgx.Identifier{schema, table}.Sanitize(), where,
	)
	rowIDs := "(SELECT c FROM _ferretdb_sort_keys WHERE NOT o ORDER BY " + strings.Join(order, ", ") + limitClause +
		") UNION ALL (SELECT c FROM _ferretdb_sort_keys WHERE o)"

	return prefix + keyList + q + " WHERE ctid = ANY(ARRAY(" + rowIDs + "))", args, nil
}
`;

const SORT_LIMIT_HANDLER_GO = `package handler

import (
	"os"
	"strings"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// sortLimitPushdownEnabled is set for the PostgreSQL backend only: the SQLite backend orders by
// $natural alone.
var sortLimitPushdownEnabled = os.Getenv("FERRETDB_SORT_LIMIT_PUSHDOWN") == "1"

// pushSortAndLimit reports whether a find's sort and limit can be handed to the backend: a limit,
// a sort on top-level fields, and a filter the backend applies exactly, so that the rows it drops
// before the limit are rows MongoDB would not return either. Exact filters here: equality with a
// string, an ObjectId or a boolean on a top-level field, and $in with only strings and ObjectIds.
func pushSortAndLimit(filter, sort *types.Document, skip, limit int64) bool {
	if !sortLimitPushdownEnabled || limit <= 0 || skip < 0 || skip+limit > 1<<30 || sort.Len() == 0 {
		return false
	}

	for _, k := range sort.Keys() {
		if k == "" || strings.ContainsAny(k, ".$") {
			return false
		}

		if _, ok := must.NotFail(sort.Get(k)).(int64); !ok {
			return false
		}
	}

	if filter == nil {
		return true
	}

	for _, k := range filter.Keys() {
		if k == "" || strings.ContainsAny(k, ".$") {
			return false
		}

		switch v := must.NotFail(filter.Get(k)).(type) {
		case string, types.ObjectID, bool:
		case *types.Document:
			if v.Len() != 1 || v.Keys()[0] != "$in" {
				return false
			}

			values, ok := must.NotFail(v.Get("$in")).(*types.Array)
			if !ok {
				return false
			}

			for i := 0; i < values.Len(); i++ {
				switch must.NotFail(values.Get(i)).(type) {
				case string, types.ObjectID:
				default:
					return false
				}
			}
		default:
			return false
		}
	}

	return true
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
    // Query: a sort on fields (passed only with an exact filter and a limit) is pushed down
    file: 'internal/backends/postgresql/collection.go',
    anchor:
      '\tq += where\n\n\tsort, sortArgs := prepareOrderByClause(params.Sort)\n\n\tq += sort\n\targs = append(args, sortArgs...)\n\n' +
      '\tif params.Limit != 0 {\n\t\tq += fmt.Sprintf(` LIMIT %s`, placeholder.Next())\n\t\targs = append(args, params.Limit)\n\t}\n',
    replacement:
      '\tif isFieldSort(params.Sort) {\n' +
      '\t\tif q, args, err = fieldSortQuery(q, where, args, &placeholder, c.dbName, meta.TableName, params.Sort, params.Limit); err != nil {\n' +
      '\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n' +
      '\t} else {\n' +
      '\t\tq += where\n\n\t\tsort, sortArgs := prepareOrderByClause(params.Sort)\n\n\t\tq += sort\n\t\targs = append(args, sortArgs...)\n\n' +
      '\t\tif params.Limit != 0 {\n\t\t\tq += fmt.Sprintf(` LIMIT %s`, placeholder.Next())\n\t\t\targs = append(args, params.Limit)\n\t\t}\n\t}\n',
  },
  {
    // Explain: the same
    file: 'internal/backends/postgresql/collection.go',
    anchor:
      '\tq += where\n\n\tsort, sortArgs := prepareOrderByClause(params.Sort)\n\tres.SortPushdown = sort != ""\n\n\tq += sort\n\targs = append(args, sortArgs...)\n\n' +
      '\tif params.Limit != 0 {\n\t\tq += fmt.Sprintf(` LIMIT %s`, placeholder.Next())\n\t\targs = append(args, params.Limit)\n\t\tres.LimitPushdown = true\n\t}\n',
    replacement:
      '\tif isFieldSort(params.Sort) {\n' +
      '\t\tif q, args, err = fieldSortQuery(q, where, args, &placeholder, c.dbName, meta.TableName, params.Sort, params.Limit); err != nil {\n' +
      '\t\t\treturn nil, lazyerrors.Error(err)\n\t\t}\n\n' +
      '\t\tres.SortPushdown = true\n\t\tres.LimitPushdown = params.Limit != 0\n' +
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
  ...['internal/handler/msg_find.go', 'internal/handler/msg_explain.go'].map((file) => ({
    // find and explain: hand the sort and skip + limit to the backend when pushSortAndLimit allows
    file,
    anchor:
      '\tif !h.DisablePushdown && params.Filter.Len() == 0 && params.Sort.Len() == 0 && params.Skip == 0 {\n' +
      '\t\tqp.Limit = params.Limit\n\t}\n',
    replacement:
      '\tif !h.DisablePushdown && params.Filter.Len() == 0 && params.Sort.Len() == 0 && params.Skip == 0 {\n' +
      '\t\tqp.Limit = params.Limit\n' +
      '\t} else if !h.DisablePushdown && !cInfo.Capped() && pushSortAndLimit(params.Filter, params.Sort, params.Skip, params.Limit) {\n' +
      '\t\tqp.Sort = params.Sort\n\t\tqp.Limit = params.Skip + params.Limit\n\t}\n',
  })),
];

const NEW_FILES: Record<string, string> = {
  'internal/backends/postgresql/metadata/lookup_indexes.go': LOOKUP_INDEXES_GO,
  'internal/backends/postgresql/filter_in.go': FILTER_IN_GO,
  'internal/backends/postgresql/sort_pushdown.go': SORT_PUSHDOWN_GO,
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
