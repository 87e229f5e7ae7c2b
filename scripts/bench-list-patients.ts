/**
 * Times ListPatients with many patients in one clinic: the default order, a search, and a range filter
 * with a metric sort. Patients are inserted straight into `patients` in the stored shape (CGM and BGM
 * summaries in all four periods, as the e2e data set has them); requests go through the whole app
 * (guards, validation, query, mapping) in process.
 *
 *   npx ts-node --transpile-only scripts/bench-list-patients.ts [--patients 10000] [--runs 5] [--limit 50]
 *     [--only default|search|range]
 *
 * Uses MONGODB_URI when it is set (a scratch database that is dropped afterwards), otherwise starts an
 * embedded FerretDB in a temporary folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { getConnectionToken } from '@nestjs/mongoose';
import { Types, type Connection } from 'mongoose';
import pino from 'pino';
import { startEmbeddedDatabase, type RunningEmbeddedDatabase } from '../src/database/embedded-database';
import { patientFactory } from '../test/e2e/patients/list-patients.fixture';

const { values: options } = parseArgs({
  options: {
    patients: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    limit: { type: 'string', default: '50' },
    only: { type: 'string' },
  },
});
const PATIENTS = Number(options.patients);
const RUNS = Number(options.runs);
const LIMIT = Number(options.limit);
const BATCH = 250;

interface Scenario {
  key: string;
  name: string;
  query: Record<string, string>;
}

const SCENARIOS: Scenario[] = [
  { key: 'default', name: 'default order', query: {} },
  { key: 'search', name: 'search "smith"', query: { search: 'smith' } },
  {
    key: 'range',
    name: 'cgm.timeInTargetPercent>=0.5, sort -averageGlucoseMmol',
    query: { 'cgm.timeInTargetPercent': '>=0.5', sort: '-averageGlucoseMmol', sortType: 'cgm' },
  },
];

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-list-patients-'));
  let embedded: RunningEmbeddedDatabase | undefined;
  if (!process.env.MONGODB_URI) {
    embedded = await startEmbeddedDatabase({
      cacheDir: resolve(__dirname, '../.cache/ferretdb'),
      dataDir: join(dataDir, 'db'),
      log: () => undefined,
    });
    process.env.MONGODB_URI = embedded.uri;
  }
  Object.assign(process.env, {
    MONGODB_DATABASE: `bench_${randomBytes(4).toString('hex')}`,
    AUTH_PROVIDER: 'jwt',
    AUTH_TOKEN_SECRET: randomBytes(32).toString('hex'),
    USER_DIRECTORY: 'embedded',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
  });
  // Imported after the environment is set: configuration sections read it when they load.
  const { createApp } = await import('../src/app.factory');
  const { JwtTokenIssuer } = await import('../src/auth/tokens/jwt-token.issuer');
  // Only errors are logged (to stderr), so a failing request shows its cause.
  const app = await createApp(pino({ level: 'error' }, pino.destination(2)));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const connection = app.get<Connection>(getConnectionToken());
  const token = await app.get(JwtTokenIssuer).issue({ subjectId: 'bench', isServer: true });
  const database = embedded ? `embedded FerretDB (${embedded.uri})` : 'MONGODB_URI';

  try {
    const clinicId = new Types.ObjectId();
    const factory = patientFactory();
    const seedStart = Date.now();
    for (let first = 0; first < PATIENTS; first += BATCH) {
      const batch = [];
      for (let index = first; index < Math.min(PATIENTS, first + BATCH); index++) {
        batch.push(factory.patient(index, clinicId));
      }
      await connection.collection('patients').insertMany(batch);
    }
    console.log(`seeded ${PATIENTS} patients in ${((Date.now() - seedStart) / 1000).toFixed(1)} s on ${database}`);

    // The floor on FerretDB 1.x, which reads and decodes every document for any filter but `_id`.
    const scanStart = Date.now();
    await connection.collection('patients').countDocuments({ clinicId });
    console.log(`one count over the clinic's patients (driver, no app): ${Date.now() - scanStart} ms`);

    const url = `/v1/clinics/${clinicId.toHexString()}/patients`;
    console.log(`ListPatients, limit ${LIMIT}, ${RUNS} runs after one warm-up (ms):`);
    for (const scenario of SCENARIOS.filter(({ key }) => !options.only || key === options.only)) {
      const times: number[] = [];
      let meta: unknown;
      for (let run = 0; run <= RUNS; run++) {
        const start = process.hrtime.bigint();
        const res = await app.inject({
          method: 'GET',
          url,
          query: { ...scenario.query, limit: String(LIMIT) },
          headers: { 'x-tidepool-session-token': token },
        });
        const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
        if (res.statusCode !== 200) throw new Error(`${scenario.name}: ${res.statusCode} ${res.body}`);
        meta = res.json<{ meta: unknown }>().meta;
        if (run > 0) times.push(elapsed);
      }
      times.sort((a, b) => a - b);
      const mean = times.reduce((sum, time) => sum + time, 0) / times.length;
      console.log(
        `  ${scenario.name.padEnd(56)} p50 ${percentile(times, 0.5).toFixed(0).padStart(6)}` +
          `  p95 ${percentile(times, 0.95).toFixed(0).padStart(6)}  mean ${mean.toFixed(0).padStart(6)}` +
          `  meta ${JSON.stringify(meta)}`,
      );
    }
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await app.close();
    await embedded?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
