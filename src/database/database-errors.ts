/** The database cannot be reached right now; answered 503 with `Retry-After`. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';

  constructor() {
    super('service unavailable: the database is not reachable, please retry');
  }
}

/** Driver errors that mean the server could not be reached (rather than that a command failed). */
const CONNECTIVITY_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
]);

export function isDatabaseConnectivityError(error: unknown): boolean {
  return error instanceof DatabaseUnavailableError || (error instanceof Error && CONNECTIVITY_ERRORS.has(error.name));
}
