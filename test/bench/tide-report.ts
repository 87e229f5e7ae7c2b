/**
 * TideReport on a clinic of 10,000 tagged patients, on the embedded database:
 *
 *   npx ts-node --transpile-only test/bench/tide-report.ts
 *
 * Starts a throw-away embedded database, boots the app in-process, seeds one clinic whose patients
 * all carry the report's tag (summaries spread over every category, a tenth without data), then times
 * sequential requests (default categories with noData). Options (environment): TIDE_PATIENTS (10000),
 * TIDE_REQUESTS (20).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Types } from 'mongoose';
import { startEmbeddedDatabase } from '../../src/database/embedded-database';
import { createTestApp } from '../support/test-app';
import { TEST_DATABASE_URI_VARIABLE } from '../support/test-database';

const PATIENTS = Number(process.env.TIDE_PATIENTS ?? 10_000);
const REQUESTS = Number(process.env.TIDE_REQUESTS ?? 20);
const HOUR_MS = 60 * 60 * 1000;

/** Deterministic pseudo-random numbers, so every run seeds the same data. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clinics-api-tide-bench-'));
  const database = await startEmbeddedDatabase({
    cacheDir: resolve(__dirname, '../../.cache/ferretdb'),
    dataDir,
    durable: false,
    log: (line) => console.log(line),
  });
  process.env[TEST_DATABASE_URI_VARIABLE] = database.uri;
  const app = await createTestApp();
  try {
    const clinicId = new Types.ObjectId();
    const tagId = new Types.ObjectId();
    const now = new Date();
    await app.connection.collection('clinics').insertOne({
      _id: clinicId,
      name: 'TIDE bench',
      canonicalShareCode: 'TIDE-BNCH-0001',
      shareCodes: ['TIDE-BNCH-0001'],
      admins: [],
      patientTags: [{ _id: tagId, name: 'Bench' }],
      createdTime: now,
      updatedTime: now,
    });
    const next = random(42);
    const seedStart = Date.now();
    for (let offset = 0; offset < PATIENTS; offset += 1000) {
      const batch = [];
      for (let i = offset; i < Math.min(PATIENTS, offset + 1000); i += 1) {
        const withData = i % 10 !== 0;
        batch.push({
          _id: new Types.ObjectId(),
          clinicId,
          userId: (0x6000000000 + i).toString(16),
          fullName: `Bench Patient ${i}`,
          fullNameKey: `bench patient ${i}`,
          email: `bench${i}@example.com`,
          tags: [tagId],
          createdTime: now,
          updatedTime: now,
          ...(withData
            ? {
                summary: {
                  cgmStats: {
                    id: `${i}`,
                    dates: { lastData: new Date(now.getTime() - next() * 48 * HOUR_MS) },
                    periods: {
                      '14d': {
                        timeInVeryLowPercent: next() * 0.03,
                        timeInAnyLowPercent: next() * 0.08,
                        timeInVeryHighPercent: next() * 0.1,
                        timeInAnyHighPercent: next() * 0.4,
                        timeInExtremeHighPercent: next() * 0.02,
                        timeInTargetPercent: 0.4 + next() * 0.6,
                        timeInTargetPercentDelta: next() * 0.4 - 0.2,
                        timeCGMUsePercent: 0.5 + next() * 0.5,
                        averageGlucoseMmol: 5 + next() * 8,
                      },
                    },
                  },
                },
              }
            : {}),
        });
      }
      await app.connection.collection('patients').insertMany(batch);
    }
    console.log(`seeded ${PATIENTS} patients in ${Date.now() - seedStart} ms`);

    const token = await app.tokens.server();
    const query = {
      period: '14d',
      tags: tagId.toHexString(),
      lastDataCutoff: new Date(now.getTime() - 7 * 24 * HOUR_MS).toISOString(),
    };
    const url = `/v1/clinics/${clinicId.toHexString()}/tide_report`;
    for (let i = 0; i < 3; i += 1) await app.call('GET', url, { token, query });
    const times: number[] = [];
    let counts: Record<string, number> = {};
    for (let i = 0; i < REQUESTS; i += 1) {
      const start = process.hrtime.bigint();
      const res = await app.call<{ results: Record<string, unknown[]> }>('GET', url, { token, query });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (res.status !== 200) throw new Error(`TideReport answered ${res.status}: ${res.text}`);
      counts = Object.fromEntries(Object.entries(res.body.results).map(([name, list]) => [name, list.length]));
    }
    times.sort((a, b) => a - b);
    console.log(`results per category: ${JSON.stringify(counts)}`);
    console.log(
      `TideReport, ${PATIENTS} patients, ${REQUESTS} sequential requests: ` +
        `p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, ` +
        `max ${times[times.length - 1].toFixed(1)} ms`,
    );
  } finally {
    await app.close();
    await database.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
