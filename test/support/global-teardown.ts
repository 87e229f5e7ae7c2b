import { rmSync } from 'node:fs';
import type { RunningEmbeddedDatabase } from '../../src/database/embedded-database';

export default async function globalTeardown(): Promise<void> {
  const { testDatabase, testDatabaseDir } = globalThis as {
    testDatabase?: RunningEmbeddedDatabase;
    testDatabaseDir?: string;
  };
  await testDatabase?.stop();
  if (testDatabaseDir) rmSync(testDatabaseDir, { recursive: true, force: true });
}
