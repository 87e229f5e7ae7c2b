#!/usr/bin/env node
// Measures the query shapes the Clinics API uses against one MongoDB-compatible server.
//
//   node scripts/bench-engine/bench.js --uri mongodb://127.0.0.1:27017/ [--label NAME] [--iterations 200]
//     [--phases 1000,20000] [--json FILE] [--server-pids PID,...] [--keep 1]
//
// (run-engines.js starts each embedded engine and runs this against it.)
//
// Seeds a database of its own (dropped first and at the end): 50 clinics, 3,600 clinicians
// (72 a clinic) and patients in two phases — 1,000 in total, then 20,000 in total. The clinic
// the queries target always holds 400 patients, so a difference between the phases is cost that
// grows with other clinics' data. Prints p50/p95 in milliseconds per query and phase.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports */
const { MongoClient, ObjectId } = require('mongodb');
const { performance } = require('node:perf_hooks');
const { setTimeout: sleep } = require('node:timers/promises');

function parseArgs(argv) {
  const args = {
    uri: '',
    label: '',
    iterations: 200,
    json: '',
    database: 'engine_bench',
    phases: '1000,20000',
    keep: '',
    'server-pids': '',
  };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in args)) throw new Error(`unknown option ${argv[i]}`);
    args[name] = typeof args[name] === 'number' ? Number(argv[++i]) : argv[++i];
  }
  if (!args.uri) throw new Error('--uri is required');
  args.label ||= args.uri;
  return args;
}

const CLINICS = 50;
const CLINICIANS_PER_CLINIC = 72;
const TARGET_PATIENTS = 400;
const NAMES = ['Ada', 'Ben', 'Cleo', 'Dan', 'Eve', 'Finn', 'Gus', 'Hana', 'Ivo', 'Jo', 'Kai', 'Lea', 'Max', 'Nia'];
const SURNAMES = ['Smith', 'Jones', 'Brown', 'Moreau', 'Rossi', 'Novak', 'Kim', 'Silva', 'Khan', 'Berg'];

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** CPU time (ms) used so far by the given processes and all their descendants (Linux /proc). */
function serverCpuMs(rootPids) {
  if (rootPids.length === 0) return 0;
  const fs = require('node:fs');
  const stats = new Map();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  let ticks = 0;
  for (const [pid, stat] of stats) {
    for (let p = pid; p > 1; p = stats.get(p)?.ppid ?? 0) {
      if (rootPids.includes(p)) {
        ticks += stat.ticks;
        break;
      }
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

let SERVER_PIDS = [];

/** After seeding, waits (at most 2 minutes) until the server is idle: background work (PostgreSQL's autovacuum) done. */
async function waitForIdleServer() {
  if (SERVER_PIDS.length === 0) return;
  const deadline = Date.now() + 120_000;
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    const before = serverCpuMs(SERVER_PIDS);
    await sleep(1000);
    quiet = serverCpuMs(SERVER_PIDS) - before <= 20 ? quiet + 1 : 0;
  }
}

async function time(iterations, fn) {
  await fn(0); // warm-up
  const cpuBefore = serverCpuMs(SERVER_PIDS);
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await fn(i);
    samples.push(performance.now() - started);
  }
  const serverCpu = SERVER_PIDS.length ? (serverCpuMs(SERVER_PIDS) - cpuBefore) / iterations : undefined;
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), serverCpu };
}

function patient(clinicId, n) {
  const first = NAMES[n % NAMES.length];
  const last = SURNAMES[Math.floor(n / NAMES.length) % SURNAMES.length];
  return {
    clinicId,
    userId: `p${n.toString(16).padStart(10, '0')}`,
    fullName: `${first} ${last} ${n}`,
    email: `patient${n}@example.com`,
    birthDate: `19${50 + (n % 50)}-0${1 + (n % 9)}-1${n % 9}`,
    mrn: `MRN${n}`,
    tags: [new ObjectId(), new ObjectId()],
    createdTime: new Date(Date.UTC(2024, 0, 1) + n * 60_000),
    summary: {
      cgmStats: {
        dates: { lastUploadDate: new Date(Date.UTC(2024, 5, 1) + n * 1000) },
        periods: {
          '14d': {
            averageGlucoseMmol: 7.1 + (n % 30) / 10,
            timeInTargetPercent: 0.55 + (n % 40) / 100,
            hasAverageGlucoseMmol: true,
          },
          '30d': {
            averageGlucoseMmol: 7.4 + (n % 20) / 10,
            timeInTargetPercent: 0.5 + (n % 45) / 100,
            hasAverageGlucoseMmol: true,
          },
        },
      },
    },
  };
}

async function insertInBatches(collection, docs) {
  for (let i = 0; i < docs.length; i += 500) await collection.insertMany(docs.slice(i, i + 500), { ordered: false });
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  SERVER_PIDS = args['server-pids'] ? args['server-pids'].split(',').map(Number) : [];
  const client = await MongoClient.connect(args.uri, { serverSelectionTimeoutMS: 10_000 });
  const db = client.db(args.database);
  await db.dropDatabase();
  const clinicians = db.collection('clinicians');
  const patients = db.collection('patients');
  const results = [];
  const record = (phase, query, stats) => {
    results.push({ engine: args.label, phase, query, ...stats });
    const cpu = stats.serverCpu === undefined ? '' : `\tserver CPU ${stats.serverCpu.toFixed(2)} ms/op`;
    console.log(
      `${args.label}\t${phase}\t${query}\tp50 ${stats.p50.toFixed(2)} ms\tp95 ${stats.p95.toFixed(2)} ms${cpu}`,
    );
  };

  // The app's clinician indexes, and the patient indexes named in the brief.
  await clinicians.createIndexes([
    { key: { memberKey: 1 }, unique: true, sparse: true },
    { key: { clinicId: 1, createdTime: -1, _id: -1 } },
    { key: { clinicId: 1, roles: 1, createdTime: -1, _id: -1 } },
    { key: { userId: 1, createdTime: -1, _id: -1 } },
    { key: { createdTime: -1, _id: -1 } },
  ]);
  await patients.createIndexes([
    { key: { clinicId: 1, userId: 1 }, unique: true },
    { key: { clinicId: 1, createdTime: -1 } },
  ]);

  const clinicIds = Array.from({ length: CLINICS }, () => new ObjectId());
  const target = clinicIds[0];
  const others = clinicIds.slice(1);
  const members = [];
  const clinicianDocs = [];
  for (let c = 0; c < CLINICS; c++) {
    for (let k = 0; k < CLINICIANS_PER_CLINIC; k++) {
      const userId = `u${(c * CLINICIANS_PER_CLINIC + k).toString(16).padStart(10, '0')}`;
      const key = `${clinicIds[c].toHexString()}:${userId}`;
      members.push(key);
      clinicianDocs.push({
        clinicId: clinicIds[c],
        userId,
        memberKey: key,
        email: `${userId}@example.com`,
        roles: k === 0 ? ['CLINIC_ADMIN'] : ['CLINIC_MEMBER'],
        createdTime: new Date(Date.UTC(2023, 0, 1) + (c * CLINICIANS_PER_CLINIC + k) * 60_000),
      });
    }
  }
  let started = performance.now();
  await insertInBatches(clinicians, clinicianDocs);
  console.log(
    `${args.label}\tseed\t${clinicianDocs.length} clinicians in ${Math.round(performance.now() - started)} ms`,
  );

  let serial = 0;
  const targetIds = [];
  const targetUsers = [];
  const targetDocs = Array.from({ length: TARGET_PATIENTS }, () => patient(target, serial++));
  for (const doc of targetDocs) targetUsers.push(doc.userId);
  let seeded = 0;

  for (const total of args.phases.split(',').map(Number)) {
    const docs = seeded === 0 ? [...targetDocs] : [];
    while (seeded + docs.length < total) docs.push(patient(others[serial % others.length], serial++));
    started = performance.now();
    await insertInBatches(patients, docs);
    seeded += docs.length;
    console.log(
      `${args.label}\tseed\t${docs.length} patients (${seeded} in total) in ${Math.round(performance.now() - started)} ms`,
    );
    await waitForIdleServer();
    if (targetIds.length === 0) {
      for (const doc of await patients.find({ clinicId: target }, { projection: { _id: 1 } }).toArray())
        targetIds.push(doc._id);
    }
    const phase = `${total / 1000}k`;
    const n = args.iterations;
    const pick = (list, i) => list[(i * 7919) % list.length];

    record(
      phase,
      'clinician findOne memberKey (hit)',
      await time(n, (i) => clinicians.findOne({ memberKey: pick(members, i) })),
    );
    record(
      phase,
      'clinician findOne memberKey (miss)',
      await time(n, (i) => clinicians.findOne({ memberKey: `${target.toHexString()}:nobody${i}` })),
    );
    record(
      phase,
      'clinician find clinicId sort createdTime limit 50',
      await time(n, (i) =>
        clinicians
          .find({ clinicId: clinicIds[i % CLINICS] })
          .sort({ createdTime: -1, _id: -1 })
          .limit(50)
          .toArray(),
      ),
    );
    record(
      phase,
      'patient find clinicId sort createdTime limit 50',
      await time(n, () => patients.find({ clinicId: target }).sort({ createdTime: -1 }).limit(50).toArray()),
    );
    record(
      phase,
      'patient countDocuments clinicId',
      await time(n, () => patients.countDocuments({ clinicId: target })),
    );
    record(
      phase,
      'patient countDocuments clinicId limit 1',
      await time(n, () => patients.countDocuments({ clinicId: target }, { limit: 1 })),
    );
    record(
      phase,
      'patient find clinicId + fullName regex limit 50',
      await time(n, (i) =>
        patients
          .find({ clinicId: target, fullName: { $regex: NAMES[i % NAMES.length], $options: 'i' } })
          .limit(50)
          .toArray(),
      ),
    );
    record(
      phase,
      'patient find clinicId + userId $in (5)',
      await time(n, (i) =>
        patients
          .find({ clinicId: target, userId: { $in: [0, 1, 2, 3, 4].map((k) => pick(targetUsers, i + k)) } })
          .toArray(),
      ),
    );
    record(
      phase,
      'patient findOne clinicId + userId',
      await time(n, (i) => patients.findOne({ clinicId: target, userId: pick(targetUsers, i) })),
    );
    record(phase, 'patient findOne _id', await time(n, (i) => patients.findOne({ _id: pick(targetIds, i) })));
    record(
      phase,
      'patient find _id $in (5)',
      await time(n, (i) =>
        patients.find({ _id: { $in: [0, 1, 2, 3, 4].map((k) => pick(targetIds, i + k)) } }).toArray(),
      ),
    );
    record(
      phase,
      'patient find clinicId $or [userId, email]',
      await time(n, (i) =>
        patients
          .find({ clinicId: target, $or: [{ userId: pick(targetUsers, i) }, { email: 'nobody@example.com' }] })
          .toArray(),
      ),
    );
    const inserts = Math.min(n, 200);
    started = performance.now();
    const insertTimes = await time(inserts, () =>
      patients.insertOne(patient(others[serial % others.length], serial++)),
    );
    seeded += inserts + 1;
    const perSecond = ((inserts + 1) / (performance.now() - started)) * 1000;
    record(phase, `patient insertOne (${Math.round(perSecond)}/s)`, insertTimes);
  }

  if (!args.keep) await db.dropDatabase();
  await client.close();
  if (args.json) require('node:fs').writeFileSync(args.json, JSON.stringify(results, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
