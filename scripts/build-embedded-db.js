#!/usr/bin/env node
// npm postinstall: builds the embedded database (FerretDB, patched) once and makes its empty
// PostgreSQL cluster, so the first `npm start` and `npm test` need not. Skipped when MONGODB_URI is
// set; never fails the install (the service reports what is missing when it needs the database).
/* eslint-disable @typescript-eslint/no-require-imports */
const { existsSync } = require('node:fs');
const { join } = require('node:path');

if (process.env.MONGODB_URI) {
  console.log('embedded database: MONGODB_URI is set, nothing to build');
  process.exit(0);
}
const tsNode = join(__dirname, '..', 'node_modules', 'ts-node');
if (!existsSync(tsNode)) {
  console.log('embedded database: dev dependencies absent, the service builds FerretDB on first start');
  process.exit(0);
}
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
const { ensureFerretDbBinary } = require('../src/database/embedded-database');
const { ensureClusterTemplate } = require('../src/database/embedded-postgres');
const cacheDir = process.env.EMBEDDED_DB_CACHE_DIR || join(__dirname, '..', '.cache', 'ferretdb');
const log = (line) => console.log(line);
try {
  const binary = ensureFerretDbBinary(cacheDir, log);
  console.log(`embedded database: ready (${binary})`);
} catch (error) {
  console.warn(`embedded database: not built now: ${error.message}`);
}
if (process.env.EMBEDDED_DB_ENGINE !== 'sqlite') {
  try {
    const template = ensureClusterTemplate(cacheDir, log);
    console.log(`embedded database: PostgreSQL cluster template ready (${template})`);
  } catch (error) {
    console.warn(`embedded database: PostgreSQL cluster not made now: ${error.message}`);
  }
}
