import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isProcessAlive } from '../../../src/database/child-processes';

const ROOT = resolve(__dirname, '../../..');

/**
 * `npm start` as people run it: a SIGTERM to npm must stop the service (npm passes signals to the
 * script's shell, so the script has to be the service itself, not a shell waiting for it).
 */
describe('npm start', () => {
  jest.setTimeout(180_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'clinics-npm-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('should stop the service and its embedded database when npm gets SIGTERM', async () => {
    const build = spawnSync('npx', ['nest', 'build'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status).toBe(0);
    // --ignore-scripts skips the prestart build just done; the start script itself runs.
    const npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Clinics API listening on')) {
      if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`service did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const servicePid = (JSON.parse(readFileSync(join(dataDir, 'service.json'), 'utf8')) as { pid: number }).pid;
    const state = JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8')) as {
      pid: number;
      postgresPid: number;
    };
    expect([servicePid, state.pid, state.postgresPid].every(isProcessAlive)).toBe(true);

    const signalled = Date.now();
    npm.kill('SIGTERM');
    const stopDeadline = signalled + 15_000;
    while ([servicePid, state.pid, state.postgresPid].some(isProcessAlive)) {
      if (Date.now() > stopDeadline) throw new Error(`still running 15 s after SIGTERM:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain('SIGTERM: shutting down');
  });
});
