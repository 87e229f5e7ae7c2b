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

interface Edit {
  file: string;
  /** Text that must occur exactly once in the file. */
  anchor: string;
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
];

const NEW_FILES: Record<string, string> = {
  'internal/backends/postgresql/metadata/lookup_indexes.go': LOOKUP_INDEXES_GO,
  'internal/backends/postgresql/filter_in.go': FILTER_IN_GO,
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
    if (occurrences !== 1) {
      throw new Error(`the FerretDB patch does not fit ${edit.file} (anchor found ${occurrences} times)`);
    }
    writeFileSync(
      path,
      text.replace(edit.anchor, () => edit.replacement),
    );
  }
  for (const [file, content] of Object.entries(NEW_FILES)) writeFileSync(join(sourceDir, file), content);
}
