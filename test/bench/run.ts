/**
 * `npm run bench`: seeds a practice network on the embedded database, then measures our service and
 * the floor (test/bench/floor-server.ts) on the same data, endpoint by endpoint, interleaved, with
 * autocannon. Prints req/s, p50/p95/p99, ours/floor and database commands per request (counted on
 * the wire; asserted not to grow with page size), and writes test/bench/results/latest.json.
 *
 * Throughput (and ours/floor) is measured with BENCH_CONNECTIONS clients, where latency is mostly
 * queueing on this machine's cores; a second pass with one client measures our own latency (p50/p95
 * of a request that does not wait behind others).
 *
 * Options (environment): BENCH_DURATION_S (5), BENCH_CONNECTIONS (32), BENCH_ROUNDS (2),
 * BENCH_LATENCY_DURATION_S (2), BENCH_ONLY (endpoints whose names start with one of these
 * comma-separated prefixes, e.g. `GetClinic,ListPatients`; all by default).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { MongoClient } from 'mongodb';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { cpuMsOfTree, peakRssMb, startServer, Started } from './processes';
import { BenchClient, NetworkFixture, PatientsFixture, seedNetwork, seedPatients } from './seed';
import { WireCounter } from './wire-counter';

const ROOT = resolve(__dirname, '../..');
/** Node's options in `npm start` (e.g. the heap size), so that the service is measured as it runs. */
const START_NODE_OPTIONS = nodeOptionsOfStartScript();
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const LATENCY_DURATION_S = Number(process.env.BENCH_LATENCY_DURATION_S ?? 2);
const DATABASE = 'bench';
/** Patients of the clinic the per-clinic endpoints are measured on, whatever the total. */
const TARGET_CLINIC_PATIENTS = Number(process.env.BENCH_TARGET_CLINIC_PATIENTS ?? 400);

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  /** The path for a page size (scenarios without pages ignore it). */
  path: (fixture: BenchFixture, pageSize: number) => string;
  token: (fixture: BenchFixture) => string;
  body?: unknown;
  /** Page sizes whose command counts must be equal. */
  pageSizes?: number[];
  /** A new path for every request (each CreatePatientFromUser adds another user). */
  pathFor?: (fixture: BenchFixture, target: Target['label'], index: number) => string;
}

type BenchFixture = NetworkFixture & PatientsFixture;

const ALL_SCENARIOS: Scenario[] = [
  {
    name: 'GetClinic',
    method: 'GET',
    path: (f) => `/v1/clinics/${f.targetClinicId}`,
    token: (f) => f.outsider.token,
  },
  {
    name: 'ListClinicians limit=50',
    method: 'GET',
    path: (f, limit) => `/v1/clinics/${f.targetClinicId}/clinicians?limit=${limit}`,
    token: (f) => f.member.token,
    pageSizes: [10, 50],
  },
  {
    name: 'ListClinicsForClinician limit=50',
    method: 'GET',
    path: (f, limit) => `/v1/clinicians/${f.multiClinician.userId}/clinics?limit=${limit}`,
    token: (f) => f.multiClinician.token,
    pageSizes: [10, 50],
  },
  {
    name: 'ListPatients default order',
    method: 'GET',
    path: (f, limit) => `/v1/clinics/${f.targetClinicId}/patients?limit=${limit}`,
    token: (f) => f.member.token,
    pageSizes: [10, 50],
  },
  {
    name: 'ListPatients search',
    method: 'GET',
    path: (f, limit) => `/v1/clinics/${f.targetClinicId}/patients?search=ada&limit=${limit}`,
    token: (f) => f.member.token,
    pageSizes: [10, 50],
  },
  {
    name: 'ListPatients range filter + sort',
    method: 'GET',
    path: (f, limit) =>
      `/v1/clinics/${f.targetClinicId}/patients?cgm.timeInTargetPercent=%3E%3D0.5&sort=-timeInTargetPercent&sortType=cgm&limit=${limit}`,
    token: (f) => f.member.token,
    pageSizes: [10, 50],
  },
  {
    name: 'ListPatients page 5 of 50',
    method: 'GET',
    path: () => '',
    token: (f) => f.member.token,
    pathFor: (f) => `/v1/clinics/${f.targetClinicId}/patients?offset=200&limit=50`,
  },
  {
    name: 'CreatePatientFromUser',
    method: 'POST',
    path: () => '',
    token: (f) => f.server,
    body: {},
    pathFor: (f, target, index) => {
      const half = Math.floor(f.newPatientUserIds.length / 2);
      const userId = f.newPatientUserIds[(target === 'ours' ? 0 : half) + (index % half)];
      // Into another clinic than the one the lists are measured on, which would otherwise grow by
      // every patient created here between the rounds.
      return `/v1/clinics/${f.clinicIds[f.clinicIds.length - 1]}/patients/${userId}`;
    },
  },
  {
    name: 'CreateClinic',
    method: 'POST',
    path: () => '/v1/clinics',
    token: (f) => f.outsider.token,
    body: { name: 'Bench Clinic', preferredBgUnits: 'mg/dL' },
  },
];

const ONLY = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const SCENARIOS = ONLY ? ALL_SCENARIOS.filter((s) => ONLY.some((prefix) => s.name.startsWith(prefix))) : ALL_SCENARIOS;

interface Target {
  label: 'ours' | 'floor';
  url: string;
  process: Started;
  counter: WireCounter;
}

interface Run {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  failures: number;
  serviceCpuMsPerRequest: number;
  databaseCpuMsPerRequest: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 10) / 10;
}

/** Waits until requests queued by the previous run have drained (a probe answers quickly), at most 30 s. */
async function settle(target: Target, scenario: Scenario, fixture: BenchFixture): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const started = Date.now();
    await fetch(`${target.url}${scenario.path(fixture, 10)}`, {
      method: 'GET',
      headers: { 'x-tidepool-session-token': scenario.token(fixture) },
    }).catch(() => undefined);
    if (Date.now() - started < 250) return;
  }
}

/**
 * Waits (at most 30 s) until the database is nearly idle (under 5% of a core over half a second),
 * so that a measurement does not share the machine with work left by the previous load (e.g.
 * PostgreSQL's autovacuum after the inserts of CreatePatientFromUser).
 */
async function quiesce(targets: Target[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const before = databaseCpuMs(targets);
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (databaseCpuMs(targets) - before < 25) return;
  }
}

/**
 * CPU of the embedded database: every process this benchmark started except the two servers (the
 * database may be several processes, e.g. FerretDB and the engine beneath it).
 */
function databaseCpuMs(targets: Target[]): number {
  const own = process.cpuUsage();
  const servers = targets.reduce((sum, target) => sum + cpuMsOfTree(target.process.child.pid!), 0);
  return cpuMsOfTree(process.pid) - (own.user + own.system) / 1000 - servers;
}

const sent = new Map<string, number>();

/** The path of the next request of a scenario for a target (rotating scenarios get a fresh one each time). */
function nextPath(scenario: Scenario, fixture: BenchFixture, target: Target['label'], pageSize: number): string {
  if (!scenario.pathFor) return scenario.path(fixture, pageSize);
  const key = `${scenario.name}:${target}`;
  const index = sent.get(key) ?? 0;
  sent.set(key, index + 1);
  return scenario.pathFor(fixture, target, index);
}

async function load(
  target: Target,
  scenario: Scenario,
  fixture: BenchFixture,
  targets: Target[],
  shape: { connections: number; durationS: number } = { connections: CONNECTIONS, durationS: DURATION_S },
): Promise<Run> {
  const latencies: number[] = [];
  const cpuBefore = cpuMsOfTree(target.process.child.pid!);
  const dbBefore = databaseCpuMs(targets);
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url: `${target.url}${nextPath(scenario, fixture, target.label, 50)}`,
        requests: scenario.pathFor
          ? [{ setupRequest: (request) => ({ ...request, path: nextPath(scenario, fixture, target.label, 50) }) }]
          : undefined,
        method: scenario.method,
        connections: shape.connections,
        duration: shape.durationS,
        headers: {
          'x-tidepool-session-token': scenario.token(fixture),
          ...(scenario.body ? { 'content-type': 'application/json' } : {}),
        },
        body: scenario.body ? JSON.stringify(scenario.body) : undefined,
      },
      (error: Error | null, finished) => (error ? fail(error) : done(finished)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  const served = result['2xx'];
  const cpu = cpuMsOfTree(target.process.child.pid!) - cpuBefore;
  const db = databaseCpuMs(targets) - dbBefore;
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: Math.round((served / shape.durationS) * 10) / 10,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    failures: result.non2xx + result.errors + result.timeouts,
    serviceCpuMsPerRequest: Math.round((cpu / Math.max(served, 1)) * 100) / 100,
    databaseCpuMsPerRequest: Math.round((db / Math.max(served, 1)) * 100) / 100,
  };
}

/** Database commands one request costs, counted over sequential requests. */
async function commandsPerRequest(
  target: Target,
  scenario: Scenario,
  fixture: BenchFixture,
  pageSize: number,
): Promise<number> {
  const client = new BenchClient(target.url, '');
  const samples = 10;
  target.counter.reset();
  for (let i = 0; i < samples; i++) {
    const path = nextPath(scenario, fixture, target.label, pageSize);
    await client.call(scenario.method, path, scenario.token(fixture), scenario.body);
  }
  return target.counter.total() / samples;
}

interface Row {
  endpoint: string;
  oursRps: number;
  floorRps: number;
  ratio: number;
  oursP50: number;
  oursP95: number;
  oursP99: number;
  floorP95: number;
  /** Ours with one client: the latency of a request that waits for no other. */
  oursSingleP50: number;
  oursSingleP95: number;
  commands: { ours: number; floor: number };
  oursServiceCpuMs: number;
  oursDbCpuMs: number;
  floorDbCpuMs: number;
  failures: number;
}

async function runAtSize(totalPatients: number): Promise<{ summary: Row[]; peakRssMb: Record<string, number> }> {
  const secret = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'clinics-bench-'));
  console.log(`bench: starting the embedded database in ${dataDir}`);
  const database = await startEmbeddedDatabase({
    cacheDir: join(ROOT, '.cache/ferretdb'),
    dataDir,
    log: (line) => console.log(line),
  });
  const databaseUrl = new URL(database.uri);
  const targets: Target[] = [];
  try {
    for (const label of ['ours', 'floor'] as const) {
      const counter = new WireCounter(databaseUrl.hostname, Number(databaseUrl.port));
      const proxyPort = await counter.listen();
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const env = {
        MONGODB_URI: `mongodb://127.0.0.1:${proxyPort}/`,
        MONGODB_DATABASE: DATABASE,
        PORT: String(port),
        HOST: '127.0.0.1',
        AUTH_TOKEN_SECRET: secret,
        LOG_LEVEL: 'warn',
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        // As on the embedded database, where it is on: ours reaches the shared database through the
        // counting proxy (a MONGODB_URI, where it is off by default), and the floor's writes never
        // change what ours keeps of the measured clinic (they create clinics, and patients of the last one).
        ...(label === 'ours' ? { READ_CACHE: 'on' } : {}),
      };
      const server =
        label === 'ours'
          ? await startServer(
              'node',
              [...START_NODE_OPTIONS, join(ROOT, 'dist/main.js')],
              env,
              `http://127.0.0.1:${port}/ready`,
            )
          : await startServer(
              'node',
              ['-r', 'ts-node/register/transpile-only', join(ROOT, 'test/bench/floor-server.ts')],
              env,
              `http://127.0.0.1:${port}/v1/clinics/ready`,
              { readyStatus: 400 },
            );
      targets.push({ label, url: `http://127.0.0.1:${port}`, process: server, counter });
    }

    const mongo = new MongoClient(database.uri);
    await mongo.connect();
    console.log('bench: seeding the practice network through the API');
    const started = Date.now();
    const seeder = new BenchClient(targets[0].url, secret);
    const network = await seedNetwork(mongo.db(DATABASE), seeder, {
      clinics: 50,
      cliniciansPerClinic: 10,
      clinicsOfMultiClinician: 10,
    });
    const fixture: BenchFixture = {
      ...network,
      ...(await seedPatients(mongo.db(DATABASE), seeder, network, {
        totalPatients,
        targetClinicPatients: TARGET_CLINIC_PATIENTS,
        newPatientUsers: 20_000,
      })),
    };
    console.log(`bench: seeded ${totalPatients} patients in ${Math.round((Date.now() - started) / 1000)} s`);
    await mongo.close();

    const results: Record<string, Record<string, unknown>> = {};
    for (const scenario of SCENARIOS) {
      const commands: Record<string, Record<number, number>> = {};
      for (const target of targets) {
        commands[target.label] = {};
        for (const pageSize of scenario.pageSizes ?? [50]) {
          commands[target.label][pageSize] = await commandsPerRequest(target, scenario, fixture, pageSize);
        }
        // No per-item reads: a larger page never costs more commands (it may cost fewer, when a page
        // that is not full makes a count unnecessary).
        const counts = (scenario.pageSizes ?? [50]).map((pageSize) => commands[target.label][pageSize]);
        if (counts.some((count, i) => i > 0 && count > counts[i - 1])) {
          throw new Error(
            `${scenario.name}: ${target.label} database commands grow with page size: ${JSON.stringify(commands)}`,
          );
        }
      }
      results[scenario.name] = { commandsPerRequest: { ours: commands.ours[50], floor: commands.floor[50] }, runs: [] };
    }

    for (let round = 1; round <= ROUNDS; round++) {
      for (const scenario of SCENARIOS) {
        // Alternate who goes first, and start each run on an idle database (no vacuum or checkpoint
        // left over from the writes before), so neither side pays for the other's work.
        for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
          await settle(target, ALL_SCENARIOS[0], fixture);
          await quiesce(targets);
          const run = await load(target, scenario, fixture, targets);
          (results[scenario.name].runs as Array<Record<string, unknown>>).push({ round, target: target.label, ...run });
          console.log(`bench: round ${round} ${scenario.name} ${target.label}: ${JSON.stringify(run)}`);
        }
      }
    }

    const ours = targets.find((target) => target.label === 'ours')!;
    for (const scenario of SCENARIOS) {
      await settle(ours, ALL_SCENARIOS[0], fixture);
      await quiesce(targets);
      const run = await load(ours, scenario, fixture, targets, { connections: 1, durationS: LATENCY_DURATION_S });
      results[scenario.name].single = run;
      console.log(`bench: one client ${scenario.name} ours: ${JSON.stringify(run)}`);
    }

    const summary: Row[] = SCENARIOS.map((scenario) => {
      const runs = results[scenario.name].runs as Array<Run & { target: string }>;
      const pick = (label: string) => runs.filter((run) => run.target === label);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const ours = pick('ours');
      const floor = pick('floor');
      const row = {
        endpoint: scenario.name,
        oursRps: Math.round(mean(ours.map((r) => r.requestsPerSecond))),
        floorRps: Math.round(mean(floor.map((r) => r.requestsPerSecond))),
        ratio:
          Math.round((mean(ours.map((r) => r.requestsPerSecond)) / mean(floor.map((r) => r.requestsPerSecond))) * 100) /
          100,
        oursP50: Math.max(...ours.map((r) => r.p50)),
        oursP95: Math.max(...ours.map((r) => r.p95)),
        oursP99: Math.max(...ours.map((r) => r.p99)),
        floorP95: Math.max(...floor.map((r) => r.p95)),
        oursSingleP50: (results[scenario.name].single as Run).p50,
        oursSingleP95: (results[scenario.name].single as Run).p95,
        commands: results[scenario.name].commandsPerRequest as { ours: number; floor: number },
        oursServiceCpuMs: Math.round(mean(ours.map((r) => r.serviceCpuMsPerRequest)) * 100) / 100,
        oursDbCpuMs: Math.round(mean(ours.map((r) => r.databaseCpuMsPerRequest)) * 100) / 100,
        floorDbCpuMs: Math.round(mean(floor.map((r) => r.databaseCpuMsPerRequest)) * 100) / 100,
        failures: ours.concat(floor).reduce((sum, r) => sum + r.failures, 0),
      };
      return row;
    });
    const memory = Object.fromEntries(targets.map((t) => [t.label, peakRssMb(t.process.child.pid!)]));

    printTable(`${totalPatients} patients`, summary, memory);
    return { summary, peakRssMb: memory };
  } finally {
    for (const target of targets) {
      await target.process.stop();
      await target.counter.close();
    }
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function printTable(title: string, summary: Row[], memory: Record<string, number>): void {
  console.log(`\n### ${title}\n`);
  console.log(
    `| endpoint | ours req/s | floor req/s | ours/floor | ours p50 / p95 / p99 ms (${CONNECTIONS} clients) | floor p95 ms | ours p50 / p95 ms (1 client) | db commands ours / floor | db CPU ms/req ours / floor |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of summary) {
    console.log(
      `| ${row.endpoint} | ${row.oursRps} | ${row.floorRps} | ${row.ratio} | ${row.oursP50} / ${row.oursP95} / ${row.oursP99} | ${row.floorP95} | ${row.oursSingleP50} / ${row.oursSingleP95} | ${row.commands.ours} / ${row.commands.floor} | ${row.oursDbCpuMs} / ${row.floorDbCpuMs} |`,
    );
  }
  console.log(`\npeak RSS: ours ${memory.ours} MB, floor ${memory.floor} MB`);
}

function nodeOptionsOfStartScript(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const options = /\bnode\s+(.*?)\s*dist\/main\.js/.exec(scripts.start);
  if (!options) throw new Error(`the start script does not run dist/main.js with node: ${scripts.start}`);
  return options[1].split(/\s+/).filter(Boolean);
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_PATIENTS ?? '1000,20000').split(',').map(Number);
  const bySize: Record<string, { summary: Row[]; peakRssMb: Record<string, number> }> = {};
  for (const size of sizes) bySize[size] = await runAtSize(size);
  const outDir = join(ROOT, 'test/bench/results');
  mkdirSync(outDir, { recursive: true });
  const settings = {
    durationSeconds: DURATION_S,
    connections: CONNECTIONS,
    rounds: ROUNDS,
    latencyDurationSeconds: LATENCY_DURATION_S,
  };
  writeFileSync(
    join(outDir, 'latest.json'),
    `${JSON.stringify({ date: new Date().toISOString(), settings: { ...settings, targetClinicPatients: TARGET_CLINIC_PATIENTS }, bySize }, null, 2)}\n`,
  );
  for (const [size, result] of Object.entries(bySize)) printTable(`${size} patients`, result.summary, result.peakRssMb);
  const failing = Object.values(bySize).flatMap((result) => result.summary.filter((row) => row.failures > 0));
  if (failing.length > 0) throw new Error(`requests failed: ${failing.map((row) => row.endpoint).join(', ')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
