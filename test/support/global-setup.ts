import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { TEST_DATABASE_URI_VARIABLE } from './test-database';

/** One database server for the whole run: the configured MongoDB, or an embedded FerretDB. */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env[TEST_DATABASE_URI_VARIABLE] = process.env.MONGODB_URI;
    return;
  }
  const database = await startEmbeddedDatabase({
    cacheDir: resolve(__dirname, '../../.cache/ferretdb'),
    dataDir: mkdtempSync(join(tmpdir(), 'clinics-api-test-')),
    log: (line) => console.log(line),
  });
  process.env[TEST_DATABASE_URI_VARIABLE] = database.uri;
  (globalThis as { testDatabase?: typeof database }).testDatabase = database;
}
