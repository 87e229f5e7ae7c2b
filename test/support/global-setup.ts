import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EMBEDDED_ENGINES, EmbeddedEngine } from '../../src/config/database.config';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { TEST_DATABASE_URI_VARIABLE } from './test-database';

/** One database server for the whole run: the configured MongoDB, or an embedded FerretDB. */
export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) {
    process.env[TEST_DATABASE_URI_VARIABLE] = process.env.MONGODB_URI;
    return;
  }
  const requested = process.env.EMBEDDED_DB_ENGINE;
  const engine = EMBEDDED_ENGINES.find((name) => name === requested) ?? 'postgresql';
  const dataDir = mkdtempSync(join(tmpdir(), 'clinics-api-test-'));
  const database = await startEmbeddedDatabase({
    cacheDir: resolve(__dirname, '../../.cache/ferretdb'),
    dataDir,
    engine: engine satisfies EmbeddedEngine,
    // Throw-away data: no fsync.
    durable: false,
    log: (line) => console.log(line),
  });
  process.env[TEST_DATABASE_URI_VARIABLE] = database.uri;
  Object.assign(globalThis, { testDatabase: database, testDatabaseDir: dataDir });
}
