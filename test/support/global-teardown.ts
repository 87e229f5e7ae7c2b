import type { RunningEmbeddedDatabase } from '../../src/database/embedded-database';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { testDatabase?: RunningEmbeddedDatabase }).testDatabase?.stop();
}
