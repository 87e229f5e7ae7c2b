import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Long, MongoClient, ObjectId, type Sort } from 'mongodb';
import {
  EmbeddedDatabaseError,
  ensureFerretDbBinary,
  startEmbeddedDatabase,
  StateFile,
} from '../../../src/database/embedded-database';
import { testDatabaseUri, uniqueDatabaseName } from '../../support/test-database';
import { isProcessAlive as isAlive } from '../../../src/database/child-processes';

const ROOT = resolve(__dirname, '../../..');
const CACHE_DIR = resolve(ROOT, '.cache/ferretdb');

function readState(dataDir: string): StateFile {
  return JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8')) as StateFile;
}

const folders: string[] = [];

/** A data folder of the test's own, removed after the file's tests. */
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'clinics-embedded-'));
  folders.push(folder);
  return folder;
}

afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe('embedded database', () => {
  it('should keep data across a restart on the same data folder', async () => {
    const dataDir = temporaryFolder();
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
    const dataDir = temporaryFolder();
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

  it('should stop by itself when the process that started it is killed, and start afresh after', async () => {
    const dataDir = temporaryFolder();
    const script =
      "require('./src/database/embedded-database')" +
      `.startEmbeddedDatabase({ cacheDir: ${JSON.stringify(CACHE_DIR)}, dataDir: ${JSON.stringify(dataDir)}, log: () => {} })` +
      ".then(() => console.log('up'))";
    const owner = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((r) => owner.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('up') && r()));
    const exited = new Promise((r) => owner.once('exit', r));
    owner.kill('SIGKILL');
    await exited;
    const left = readState(dataDir);
    // The watcher beside each process stops it once its owner is gone, even after a SIGKILL.
    const deadline = Date.now() + 15_000;
    while (isAlive(left.pid) || isAlive(left.postgresPid)) {
      if (Date.now() > deadline) throw new Error('the embedded database outlived its killed owner by 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }

    const fresh = await startEmbeddedDatabase({ cacheDir: CACHE_DIR, dataDir, log: () => undefined });
    try {
      expect(fresh.owned).toBe(true);
      expect(isAlive(left.pid) || isAlive(left.postgresPid)).toBe(false);
      expect(readState(dataDir)).toMatchObject({ ownerPid: process.pid, engine: 'postgresql' });
    } finally {
      await fresh.stop();
    }
  });

  it('should say how to proceed when Go is missing and nothing is cached', () => {
    const emptyCache = temporaryFolder();
    const savedPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => ensureFerretDbBinary(emptyCache, () => undefined)).toThrow(EmbeddedDatabaseError);
      expect(() => ensureFerretDbBinary(emptyCache, () => undefined)).toThrow(/Install Go.*MONGODB_URI/);
    } finally {
      process.env.PATH = savedPath;
    }
  });

  describe('query pushdown (PostgreSQL engine)', () => {
    let client: MongoClient;
    let db: ReturnType<MongoClient['db']>;
    const clinics = Array.from({ length: 20 }, () => new ObjectId());
    const tag = new ObjectId();

    beforeAll(async () => {
      client = new MongoClient(testDatabaseUri());
      db = client.db(uniqueDatabaseName());
      const patients = db.collection('patients');
      await patients.createIndex({ clinicId: 1, userId: 1 }, { unique: true });
      // Enough rows that PostgreSQL prefers an index to reading the table.
      const docs = Array.from({ length: 3000 }, (_, n) => ({
        clinicId: clinics[n % clinics.length],
        userId: `u${n}`,
        tags: n === 7 ? [new ObjectId(), tag] : [],
      }));
      await patients.insertMany(docs);
    });

    afterAll(async () => {
      await db.dropDatabase();
      await client.close();
    });

    interface PlanNode {
      'Node Type'?: string;
      'Index Name'?: string;
      Plans?: PlanNode[];
    }

    /** The PostgreSQL plan nodes of a find, as "Node Type on Index Name", from FerretDB's explain. */
    async function plan(filter: object): Promise<string[]> {
      const explained = await db.command({ explain: { find: 'patients', filter } });
      const nodes: string[] = [];
      const walk = (node: PlanNode): void => {
        nodes.push(`${node['Node Type']}${node['Index Name'] ? ` on ${node['Index Name']}` : ''}`);
        node.Plans?.forEach(walk);
      };
      const root = (explained.queryPlanner as { Plan?: PlanNode } | undefined)?.Plan;
      if (root) walk(root);
      return nodes;
    }

    it('should serve equality on the leading field of an index, and on _id, from an index', async () => {
      if (!(await plan({})).includes('Seq Scan')) return; // not PostgreSQL (MONGODB_URI, or the SQLite engine)
      const lookup = expect.stringMatching(/Index Scan on .*_lookup$/);
      expect(await plan({ clinicId: clinics[3] })).toContainEqual(lookup);
      const one = await db.collection('patients').findOne({ userId: 'u5' });
      expect(await plan({ _id: one?._id })).toContainEqual(lookup);
      expect(await plan({ clinicId: { $in: [clinics[1], clinics[2]] } })).toContainEqual(lookup);
      // userId leads no index: PostgreSQL filters while reading the table
      expect(await plan({ userId: 'u5' })).toEqual(['Seq Scan']);
    });

    it('should still match as MongoDB does: arrays holding the value, $in, and the rest of the filter', async () => {
      const patients = db.collection('patients');
      expect(await patients.countDocuments({ clinicId: clinics[3] })).toBe(150);
      expect(await patients.countDocuments({ clinicId: clinics[3], userId: 'u3' })).toBe(1);
      expect(await patients.countDocuments({ clinicId: clinics[3], userId: 'u4' })).toBe(0);
      expect((await patients.find({ tags: tag }).toArray()).map((p) => p.userId)).toEqual(['u7']);
      expect((await patients.find({ tags: { $in: [tag, new ObjectId()] } }).toArray()).map((p) => p.userId)).toEqual([
        'u7',
      ]);
      expect(await patients.countDocuments({ clinicId: { $in: [clinics[1], clinics[2]] } })).toBe(300);
      expect(await patients.countDocuments({ userId: { $in: ['u1', 'u2', 3] } })).toBe(2);
      expect(await patients.countDocuments({ clinicId: { $in: [] } })).toBe(0);
      expect(await patients.countDocuments({ clinicId: clinics[1].toHexString() })).toBe(0);
    });
    describe('sort and limit pushdown', () => {
      const groups = [new ObjectId(), new ObjectId()];
      /** Every kind of value a sort key can hold, MongoDB ordering them by type first. */
      const values: unknown[] = [
        undefined,
        null,
        3,
        -1,
        2.5,
        Long.fromString('9007199254740993'),
        '',
        'a',
        'Z',
        'é',
        'ab',
        new ObjectId('000000000000000000000001'),
        new ObjectId('ffffffffffffffffffffffff'),
        true,
        false,
        new Date(0),
        new Date(86_400_000),
        [3, 1],
        [],
        ['b'],
        { a: 1 },
        { a: 0, b: 1 },
      ];

      beforeAll(async () => {
        const ordering = db.collection('ordering');
        await ordering.createIndex({ group: 1 });
        const docs = Array.from({ length: 660 }, (_, n) => {
          const value = values[n % values.length];
          return {
            group: groups[n % 2],
            name: `name-${n % 17}`,
            ...(value === undefined ? {} : { k: value }),
            rank: n % 5,
          };
        });
        await ordering.insertMany(docs);
      });

      async function ids(filter: object, sort: Sort, skip: number, limit: number): Promise<string[]> {
        const found = await db.collection('ordering').find(filter, { sort, skip, limit }).toArray();
        return found.map((doc) => doc._id.toHexString());
      }

      it('should return what an unpushed query returns, for every type of sort value, order, skip and limit', async () => {
        const sorts: Sort[] = [
          { k: 1, _id: 1 },
          { k: -1, _id: 1 },
          { name: 1, _id: 1 },
          { name: -1, k: 1, _id: -1 },
          { rank: -1, name: 1, _id: 1 },
        ];
        const pages = [
          [0, 1],
          [0, 10],
          [7, 25],
          [100, 50],
          [300, 100],
        ];
        for (const group of groups) {
          for (const sort of sorts) {
            for (const [skip, limit] of pages) {
              // `$and` keeps the whole query in FerretDB: the reference answer.
              const reference = await ids({ $and: [{ group }] }, sort, skip, limit);
              expect(reference.length).toBe(Math.min(limit, Math.max(0, 330 - skip)));
              expect(await ids({ group }, sort, skip, limit)).toEqual(reference);
            }
          }
        }
      });

      it('should answer whole documents after a skip, also where equal sort values straddle the skipped ones', async () => {
        const skipping = db.collection('skipping');
        const group = new ObjectId();
        const stored = Array.from({ length: 120 }, (_, n) => ({
          _id: new ObjectId(),
          group,
          tie: n % 3,
          order: n,
          name: `name-${n}`,
          payload: { text: 'x'.repeat(2000), list: [n, { deep: `d-${n}` }], when: new Date(n * 1000) },
        }));
        await skipping.insertMany(stored);
        const byId = new Map(stored.map((doc) => [doc._id.toHexString(), doc]));
        const find = (filter: object, sort: Sort, skip: number, limit: number) =>
          skipping.find(filter, { sort, skip, limit }).toArray();
        const pages = [
          [1, 5],
          [39, 3],
          [40, 1],
          [79, 2],
          [100, 50],
          [130, 5],
        ];
        for (const sort of [{ tie: 1 }, { tie: -1, order: 1 }, { order: -1 }, { name: 1, _id: 1 }] as Sort[]) {
          for (const [skip, limit] of pages) {
            const found = await find({ group }, sort, skip, limit);
            expect(found).toHaveLength(Math.min(limit, Math.max(0, 120 - skip)));
            // Every document answered is whole, as stored.
            for (const doc of found) expect(doc).toEqual(byId.get(doc._id.toHexString()));
            // The page holds what an unpushed query puts there: the same documents where the order is
            // total, the same sort values where documents are equal by it.
            const reference = await find({ $and: [{ group }] }, sort, skip, limit);
            const key = (doc: Record<string, unknown>) =>
              Object.keys(sort as Record<string, number>).map((field) => doc[field]);
            if ('order' in (sort as object) || 'name' in (sort as object)) {
              expect(found.map((doc) => doc._id.toHexString())).toEqual(reference.map((doc) => doc._id.toHexString()));
            } else {
              expect(found.map(key)).toEqual(reference.map(key));
            }
          }
        }
      });

      it('should hand the sort and the limit to PostgreSQL only when it applies the filter exactly', async () => {
        if (!(await plan({})).includes('Seq Scan')) return; // not PostgreSQL (MONGODB_URI, or the SQLite engine)
        const explain = (filter: object, sort: object = { name: 1, _id: 1 }) =>
          db.command({
            explain: { find: 'ordering', filter, sort, skip: Long.fromInt(5), limit: Long.fromInt(10) },
          });
        const pushed = { sortPushdown: true, limitPushdown: true };
        const kept = { sortPushdown: false, limitPushdown: false };
        expect(await explain({ group: groups[0] })).toMatchObject(pushed);
        expect(await explain({ group: groups[0], rank: { $gt: 1 } })).toMatchObject(pushed);
        expect(
          await explain({ group: groups[0], 'nested.score': { $gte: 0.5 } }, { 'nested.score': -1 }),
        ).toMatchObject(pushed);
        expect(await explain({ $or: [{ name: { $regex: 'me-1', $options: 'i' } }, { rank: 3 }] })).toMatchObject(
          pushed,
        );
        // not translated: the handler filters and sorts, as upstream
        expect(await explain({ group: groups[0], rank: { $exists: true } })).toMatchObject(kept);
        expect(await explain({ name: { $regex: 'name.1' } })).toMatchObject(kept);
        expect(await explain({ group: groups[0] }, { 'list.0': 1 })).toMatchObject(kept);
      });
    });

    describe('filters translated exactly (sorted pages and counts)', () => {
      const group = new ObjectId();
      /** Values under `v` (and `nested.v`), each stored on documents of its own. */
      const samples: unknown[] = [
        undefined,
        null,
        0,
        0.5,
        0.75,
        1,
        -2,
        Long.fromString('9007199254740993'),
        2.5,
        new Date(1_000),
        new Date(5_000),
        'Ada Lovelace',
        'ADA',
        'ådå',
        'Åda',
        'straße',
        '\u212A', // KELVIN SIGN, which Unicode folds to k
        'k',
        'a.b',
        'a+b',
        new ObjectId('0123456789abcdef01234567'),
        '0123456789abcdef01234567',
        true,
        false,
        [0.75, 'Ada'],
        [],
        { inner: 1 },
      ];
      const scenarios: Array<[string, object]> = [
        ['equality on a string', { v: 'ADA' }],
        ['equality on an ObjectId (not its hex string)', { v: new ObjectId('0123456789abcdef01234567') }],
        ['equality on the hex string (not the ObjectId)', { v: '0123456789abcdef01234567' }],
        ['equality on a number of another type', { v: 1.0 }],
        ['equality on a boolean', { v: false }],
        ['$in', { v: { $in: ['k', 'Ada', new ObjectId('0123456789abcdef01234567')] } }],
        ['a range on numbers', { v: { $gte: 0.5, $lt: 2 } }],
        ['a range on a long beyond 2^53', { v: { $gt: Long.fromString('9007199254740992') } }],
        ['a range on dates', { v: { $gt: new Date(2_000) } }],
        ['a range on a dotted path', { 'nested.v': { $gte: 0.5 } }],
        ['a case-insensitive regex', { v: { $regex: 'ada', $options: 'i' } }],
        ['a regex with folded non-ASCII letters', { v: { $regex: 'ÅD', $options: 'i' } }],
        ['a regex folding k to the Kelvin sign', { v: { $regex: 'k', $options: 'i' } }],
        ['a regex with escaped punctuation', { v: { $regex: 'a\\.b' } }],
        ['a case-sensitive regex', { v: { $regex: 'Ada' } }],
        ['a regex on a dotted path', { 'nested.v': { $regex: 'ada', $options: 'i' } }],
        [
          '$or of a regex and a range',
          { $or: [{ v: { $regex: 'love', $options: 'i' } }, { 'nested.v': { $lte: 0 } }] },
        ],
        ['$and of $or', { $and: [{ $or: [{ v: 'k' }, { v: 'K' }] }, { $or: [{ rank: 1 }, { rank: 2 }] }] }],
      ];

      beforeAll(async () => {
        const values = db.collection('values');
        await values.createIndex({ group: 1 });
        const docs = Array.from({ length: samples.length * 8 }, (_, n) => {
          const value = samples[n % samples.length];
          const stored = value === undefined ? {} : { v: value };
          return {
            group,
            rank: n % 3,
            ...stored,
            nested: n % 8 === 3 ? [stored] : stored,
            order: (n * 7919) % 101,
          };
        });
        await values.insertMany(docs);
      });

      it.each(scenarios)('should answer %s as FerretDB alone does', async (_name, condition) => {
        const values = db.collection('values');
        const filter = { group, ...condition };
        // `$exists` is not translated, so this filter keeps the whole query in FerretDB: the reference.
        const reference = { ...filter, zz: { $exists: false } };
        const idsOf = async (query: object, sort: Sort, skip: number, limit: number) =>
          (await values.find(query, { sort, skip, limit }).toArray()).map((doc) => doc._id.toHexString());
        const expected = await values.countDocuments(reference);
        expect(await values.countDocuments(filter)).toBe(expected);
        for (const sort of [
          { order: 1, _id: 1 },
          { 'nested.v': -1, _id: 1 },
          { v: 1, _id: -1 },
        ] as Sort[]) {
          for (const [skip, limit] of [
            [0, 5],
            [3, 20],
          ]) {
            expect(await idsOf(filter, sort, skip, limit)).toEqual(await idsOf(reference, sort, skip, limit));
          }
        }
      });

      it('should find what the scenarios are about', async () => {
        const values = db.collection('values');
        // guards against scenarios that match nothing and so prove little
        expect(await values.countDocuments({ group, v: { $regex: 'ÅD', $options: 'i' } })).toBeGreaterThan(0);
        expect(await values.countDocuments({ group, 'nested.v': { $gte: 0.5 } })).toBeGreaterThan(0);
        expect(await values.countDocuments({ group, v: new ObjectId('0123456789abcdef01234567') })).toBe(8);
        // 'k' and the Kelvin sign, 8 documents each
        expect(await values.countDocuments({ group, v: { $regex: 'k', $options: 'i' } })).toBe(16);
      });

      it('should answer 150 random filters and sorts as FerretDB alone does', async () => {
        const values = db.collection('values');
        let seed = 20261130;
        const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
        const paths = ['v', 'nested.v', 'rank', 'order'];
        const scalars = samples.filter(
          (value) => value !== undefined && !Array.isArray(value) && value?.constructor !== Object,
        );
        const condition = (depth: number): Record<string, unknown> => {
          const kind = pick(depth < 2 ? ['eq', 'in', 'range', 'regex', 'or', 'and'] : ['eq', 'in', 'range', 'regex']);
          const path = pick(paths);
          if (kind === 'or' || kind === 'and') {
            return { [`$${kind}`]: [condition(depth + 1), condition(depth + 1)] };
          }
          if (kind === 'eq') return { [path]: pick(scalars) };
          if (kind === 'in') return { [path]: { $in: [pick(scalars), pick(scalars)] } };
          if (kind === 'range') {
            const bound = pick([0, 0.5, 1, 2, 50, new Date(2_000), Long.fromString('9007199254740992')]);
            return { [path]: { [pick(['$gt', '$gte', '$lt', '$lte'])]: bound } };
          }
          return { [path]: { $regex: pick(['a', 'å', 'K', 'love', 'a\\.b', 'S', '0123']), $options: pick(['', 'i']) } };
        };
        const idsOf = async (query: object, sort: Sort, skip: number, limit: number) =>
          (await values.find(query, { sort, skip, limit }).toArray()).map((doc) => doc._id.toHexString());
        let nonEmpty = 0;
        for (let run = 0; run < 150; run++) {
          const filter = { group, ...condition(0) };
          const reference = { ...filter, zz: { $exists: false } };
          const sort: Sort = { [pick(paths)]: pick([1, -1]), _id: pick([1, -1]) };
          const [skip, limit] = [pick([0, 2, 9]), pick([1, 7, 30])];
          const expected = await idsOf(reference, sort, skip, limit);
          if (expected.length > 0) nonEmpty++;
          expect({ run, filter, sort, skip, limit, ids: await idsOf(filter, sort, skip, limit) }).toEqual({
            run,
            filter,
            sort,
            skip,
            limit,
            ids: expected,
          });
          expect(await values.countDocuments(filter)).toBe(await values.countDocuments(reference));
        }
        expect(nonEmpty).toBeGreaterThan(50);
      });
    });
  });
});
