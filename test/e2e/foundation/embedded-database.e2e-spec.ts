import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MongoClient } from 'mongodb';
import {
  EmbeddedDatabaseError,
  ensureFerretDbBinary,
  startEmbeddedDatabase,
} from '../../../src/database/embedded-database';

const CACHE_DIR = resolve(__dirname, '../../../.cache/ferretdb');

describe('embedded database', () => {
  it('should keep data across a restart on the same data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'clinics-embedded-'));
    const first = await startEmbeddedDatabase({ cacheDir: CACHE_DIR, dataDir, log: () => undefined });
    expect(first.owned).toBe(true);
    const client = new MongoClient(first.uri);
    await client.db('persist').collection('things').insertOne({ name: 'kept' });
    await client.close();
    await first.stop();

    const second = await startEmbeddedDatabase({ cacheDir: CACHE_DIR, dataDir, log: () => undefined });
    try {
      const again = new MongoClient(second.uri);
      const found = await again.db('persist').collection('things').findOne({ name: 'kept' });
      await again.close();
      expect(found?.name).toBe('kept');
    } finally {
      await second.stop();
    }
  });

  it('should reuse the instance another process runs on the same folder, and leave it running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'clinics-embedded-'));
    const owner = await startEmbeddedDatabase({ cacheDir: CACHE_DIR, dataDir, log: () => undefined });
    try {
      const guest = await startEmbeddedDatabase({ cacheDir: CACHE_DIR, dataDir, log: () => undefined });
      expect(guest).toMatchObject({ uri: owner.uri, owned: false });
      await guest.stop();
      const client = new MongoClient(owner.uri, { serverSelectionTimeoutMS: 2000 });
      await expect(client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
      await client.close();
    } finally {
      await owner.stop();
    }
  });

  it('should say how to proceed when Go is missing and nothing is cached', () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'clinics-no-cache-'));
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => ensureFerretDbBinary(emptyCache, () => undefined)).toThrow(EmbeddedDatabaseError);
      expect(() => ensureFerretDbBinary(emptyCache, () => undefined)).toThrow(/Install Go.*MONGODB_URI/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
