import { randomBytes } from 'node:crypto';

/** Set by the global setup for every test worker. */
export const TEST_DATABASE_URI_VARIABLE = 'CLINICS_API_TEST_MONGODB_URI';

export function testDatabaseUri(): string {
  const uri = process.env[TEST_DATABASE_URI_VARIABLE];
  if (!uri) throw new Error(`${TEST_DATABASE_URI_VARIABLE} is not set: run e2e tests through jest's e2e project`);
  return uri;
}

/** A database of its own for each test file, so files run in parallel without sharing data. */
export function uniqueDatabaseName(): string {
  return `test_${randomBytes(6).toString('hex')}`;
}
