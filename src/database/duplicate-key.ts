const MONGO_DUPLICATE_KEY = 11000;
const FERRETDB_INTERNAL_ERROR = 1;

/**
 * A unique-index violation. MongoDB (and FerretDB on inserts) report code 11000; FerretDB 1.x on its
 * SQLite backend reports one caused by an update as an internal error carrying SQLite's message.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === MONGO_DUPLICATE_KEY) return true;
  return (
    code === FERRETDB_INTERNAL_ERROR && typeof message === 'string' && message.includes('UNIQUE constraint failed')
  );
}
