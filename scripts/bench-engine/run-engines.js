#!/usr/bin/env node
// Starts each embedded engine in a temporary data folder, runs bench.js against it, and stops it.
//
//   node scripts/bench-engine/run-engines.js [ENGINE...] [-- BENCH OPTIONS]
//
// ENGINE: postgresql (FerretDB with this project's patch on PostgreSQL, the default engine),
// postgresql-unpatched (FerretDB as released on PostgreSQL), sqlite (FerretDB on SQLite).
// Default: all three. Bench options are passed on, e.g. `-- --iterations 50 --json out.json`
// (with several engines, each engine's JSON goes to FILE with the engine's name before `.json`).
/* eslint-disable @typescript-eslint/no-require-imports */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { setTimeout: sleep } = require('node:timers/promises');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
const { ensureFerretDbBinary, startEmbeddedDatabase, answersPing } = require('../../src/database/embedded-database');
const { startPostgres } = require('../../src/database/embedded-postgres');

const ENGINES = ['postgresql', 'postgresql-unpatched', 'sqlite'];
const CACHE_DIR = join(ROOT, '.cache', 'ferretdb');
const log = (line) => console.error(line);

async function startUnpatched(dataDir) {
  const binary = ensureFerretDbBinary(CACHE_DIR, log, false);
  const postgres = await startPostgres({
    dataDir: join(dataDir, 'postgresql'),
    cacheDir: CACHE_DIR,
    durable: true,
    log,
  });
  const port = 27000 + Math.floor(Math.random() * 1000);
  const ferretdb = spawn(
    binary,
    [
      '--handler=postgresql',
      `--postgresql-url=${postgres.url}`,
      `--listen-addr=127.0.0.1:${port}`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    { stdio: 'ignore', env: { ...process.env, GOGC: '400' } },
  );
  const uri = `mongodb://127.0.0.1:${port}/`;
  while (!(await answersPing(uri, 500))) await sleep(100);
  return {
    uri,
    pids: [ferretdb.pid, postgres.child.pid],
    stop: async () => {
      ferretdb.kill('SIGTERM');
      await new Promise((r) => ferretdb.once('exit', r));
      await postgres.stop();
    },
  };
}

async function start(engine, dataDir) {
  if (engine === 'postgresql-unpatched') return startUnpatched(dataDir);
  const database = await startEmbeddedDatabase({ cacheDir: CACHE_DIR, dataDir, engine, log });
  const state = require(join(dataDir, 'ferretdb.json'));
  return { uri: database.uri, pids: [state.pid, state.postgresPid].filter(Boolean), stop: () => database.stop() };
}

async function main() {
  const argv = process.argv.slice(2);
  const split = argv.indexOf('--');
  const engines = (split < 0 ? argv : argv.slice(0, split)).filter(Boolean);
  const benchArgs = split < 0 ? [] : argv.slice(split + 1);
  for (const engine of engines.length ? engines : ENGINES) {
    if (!ENGINES.includes(engine)) throw new Error(`unknown engine ${engine}; one of ${ENGINES.join(', ')}`);
    const dataDir = mkdtempSync(join(tmpdir(), `bench-${engine}-`));
    const server = await start(engine, dataDir);
    try {
      const args = benchArgs.map((arg, i) =>
        benchArgs[i - 1] === '--json' && engines.length !== 1 ? arg.replace(/(\.json)?$/, `-${engine}.json`) : arg,
      );
      const bench = spawnSync(
        process.execPath,
        [
          join(__dirname, 'bench.js'),
          '--uri',
          server.uri,
          '--label',
          engine,
          '--server-pids',
          server.pids.join(','),
          ...args,
        ],
        { stdio: 'inherit' },
      );
      if (bench.status !== 0) process.exitCode = 1;
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
