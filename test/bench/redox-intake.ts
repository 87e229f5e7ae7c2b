/**
 * Intake throughput of `POST /v1/redox` (ProcessEHRMessage) with the Order/New example, measured
 * against the service's own `GET /live` in the same run, interleaved, with autocannon, on the embedded
 * database. Build first (`npx nest build`), then: `npx ts-node --transpile-only test/bench/redox-intake.ts`.
 *
 * Options (environment): BENCH_DURATION_S (5), BENCH_CONNECTIONS (16), BENCH_ROUNDS (2).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { MongoClient } from 'mongodb';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { newOrder } from '../e2e/redox/redox.fixtures';
import { startServer } from './processes';

const ROOT = resolve(__dirname, '../..');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const TOKEN = 'bench-redox-token';
const DATABASE = 'bench_redox';

async function measure(url: string, options: Partial<autocannon.Options>): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, ...options });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clinics-redox-bench-'));
  const database = await startEmbeddedDatabase({
    cacheDir: join(ROOT, '.cache/ferretdb'),
    dataDir,
    log: (line) => console.log(line),
  });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = await startServer(
    'node',
    [join(ROOT, 'dist/main.js')],
    {
      MONGODB_URI: database.uri,
      MONGODB_DATABASE: DATABASE,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      AUTH_TOKEN_SECRET: 'bench-secret-of-sufficient-length',
      DATA_DIR: dataDir,
      REDOX_VERIFICATION_TOKEN: TOKEN,
    },
    `http://127.0.0.1:${port}/ready`,
  );
  const base = `http://127.0.0.1:${port}`;
  const body = JSON.stringify(newOrder());
  const rows: Array<{ round: number; route: string; rps: number; p50: number; p99: number; non2xx: number }> = [];
  let intakeOk = 0;
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      const live = await measure(`${base}/live`, {});
      rows.push({
        round,
        route: 'GET /live',
        rps: live.requests.average,
        p50: live.latency.p50,
        p99: live.latency.p99,
        non2xx: live.non2xx,
      });
      const intake = await measure(`${base}/v1/redox`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'verification-token': TOKEN },
        body,
      });
      intakeOk += intake['2xx'];
      rows.push({
        round,
        route: 'POST /v1/redox',
        rps: intake.requests.average,
        p50: intake.latency.p50,
        p99: intake.latency.p99,
        non2xx: intake.non2xx,
      });
    }
    const mongo = new MongoClient(database.uri);
    await mongo.connect();
    const stored = await mongo.db(DATABASE).collection('redox').countDocuments({});
    await mongo.close();
    console.table(rows);
    const average = (route: string) =>
      rows.filter((row) => row.route === route).reduce((sum, row) => sum + row.rps, 0) / ROUNDS;
    console.log(
      `order bytes ${Buffer.byteLength(body)}; ${CONNECTIONS} connections, ${DURATION_S} s × ${ROUNDS} rounds; ` +
        `intake ${average('POST /v1/redox').toFixed(0)} req/s vs /live ${average('GET /live').toFixed(0)} req/s ` +
        `(${((100 * average('POST /v1/redox')) / average('GET /live')).toFixed(1)} %); ` +
        `${intakeOk} accepted, ${stored} stored`,
    );
    // Requests still in flight when a measurement ends are stored but not counted: at most one per connection.
    if (stored < intakeOk || stored > intakeOk + CONNECTIONS * ROUNDS) {
      throw new Error(`accepted ${intakeOk} messages but stored ${stored}`);
    }
  } finally {
    await server.stop();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
