#!/usr/bin/env node
// Builds the service (`nest build`) unless dist/main.js is newer than every file it is built from,
// so `npm start` starts at once when nothing changed since the last build (npm install builds once).
// With --if-possible (npm install) it does nothing when the dev dependencies are absent.
/* eslint-disable @typescript-eslint/no-require-imports */
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const INPUTS = ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newestInput(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestInput(join(path, name))), stat.mtimeMs);
}

const built = join(root, 'dist', 'main.js');
const builtAt = existsSync(built) ? statSync(built).mtimeMs : -1;
const sourcesAt = Math.max(
  ...INPUTS.map((input) => join(root, input))
    .filter(existsSync)
    .map(newestInput),
);
if (builtAt >= sourcesAt) process.exit(0);
let nest;
try {
  nest = require.resolve('@nestjs/cli/bin/nest.js');
} catch {
  if (process.argv.includes('--if-possible')) process.exit(0);
  console.error(`cannot build the service: @nestjs/cli is not installed (npm install installs it)`);
  process.exit(builtAt >= 0 ? 0 : 1);
}
console.log('building the service (nest build)');
execFileSync(process.execPath, [nest, 'build'], { cwd: root, stdio: 'inherit' });
