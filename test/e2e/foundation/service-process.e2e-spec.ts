import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:http';
import { isProcessAlive } from '../../../src/database/child-processes';
import { TidepoolStub } from '../../support/tidepool-stub';

const ROOT = resolve(__dirname, '../../..');

interface ServiceRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `src/main.ts` as `npm start` would run it, with its own data folder. `ownGroup`: in a
 * process group of its own, as a supervisor runs it, so the test can signal the whole group.
 */
function startService(env: Record<string, string>, options: { ownGroup?: boolean } = {}): ServiceRun {
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    // A data folder of its own unless given, so nothing is written into the working tree.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: temporaryFolder(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownGroup ?? false,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function embeddedPid(dataDir: string): number {
  return (JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8')) as { pid: number }).pid;
}

function embeddedPids(dataDir: string): number[] {
  const state = JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8')) as {
    pid: number;
    postgresPid?: number;
  };
  return [state.pid, ...(state.postgresPid ? [state.postgresPid] : [])];
}

/** A process id that is not in use: that of a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

async function stopService(run: ServiceRun): Promise<void> {
  if (run.child.exitCode !== null) return;
  run.child.kill('SIGTERM');
  await run.exited;
}

const folders: string[] = [];

/** A data folder of the test's own, removed after the file's tests. */
function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'clinics-service-'));
  folders.push(folder);
  return folder;
}

afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe('service process', () => {
  jest.setTimeout(60_000);

  it('should log where it listens and stop the embedded database on SIGTERM', async () => {
    const dataDir = temporaryFolder();
    const run = startService({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    await waitFor(() => run.output().includes('Clinics API listening on'), 45_000);
    expect(run.output()).toMatch(/Clinics API listening on http:\/\/127\.0\.0\.1:\d+ \(Swagger UI: .*\/docs\)/);
    const pid = embeddedPid(dataDir);
    expect(isAlive(pid)).toBe(true);

    run.child.kill('SIGTERM');
    await run.exited;
    await waitFor(() => !isAlive(pid), 10_000);
    expect(existsSync(join(dataDir, 'ferretdb.json'))).toBe(false);
  });

  it('should stop PostgreSQL and FerretDB with the service', async () => {
    const dataDir = temporaryFolder();
    const run = startService({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    await waitFor(() => run.output().includes('Clinics API listening on'), 45_000);
    const pids = embeddedPids(dataDir);
    expect(pids).toHaveLength(2);
    expect(pids.every(isAlive)).toBe(true);

    run.child.kill('SIGINT');
    await run.exited;
    await waitFor(() => !pids.some(isAlive), 10_000);
    expect(existsSync(join(dataDir, 'service.json'))).toBe(false);
  });

  it('should refuse a second service on the same data folder, while the CLI works beside the first', async () => {
    const dataDir = temporaryFolder();
    const first = startService({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    try {
      await waitFor(() => first.output().includes('Clinics API listening on'), 45_000);
      const pids = embeddedPids(dataDir);

      const second = startService({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(
        `another Clinics API process (pid ${first.child.pid}) is already serving the data folder ${dataDir}`,
      );

      const cli = spawnSync(
        process.execPath,
        [
          '-r',
          'ts-node/register/transpile-only',
          'src/cli.ts',
          'user',
          'create',
          '--email',
          'cli@example.com',
          '--name',
          'Cli',
        ],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir },
        },
      );
      expect(cli.status).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ userId: expect.any(String), token: expect.any(String) });

      // Neither the refused service nor the CLI stopped the first one's database.
      expect(embeddedPids(dataDir)).toEqual(pids);
      expect(pids.every(isAlive)).toBe(true);
      expect(first.child.exitCode).toBeNull();
    } finally {
      await stopService(first);
    }
  });

  it('should start when the data folder holds a claim and a state file of processes that have ended', async () => {
    const dataDir = temporaryFolder();
    const gone = deadPid();
    writeFileSync(join(dataDir, 'service.json'), JSON.stringify({ pid: gone, since: new Date().toISOString() }));
    writeFileSync(
      join(dataDir, 'ferretdb.json'),
      JSON.stringify({ pid: gone, port: 9, engine: 'postgresql', ownerPid: gone, postgresPid: gone, postgresPort: 9 }),
    );
    const run = startService({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    try {
      await waitFor(() => run.output().includes('Clinics API listening on') || run.child.exitCode !== null, 45_000);
      expect(run.child.exitCode).toBeNull();
      const claim = JSON.parse(readFileSync(join(dataDir, 'service.json'), 'utf8')) as { pid: number };
      expect(claim.pid).toBe(run.child.pid);
      expect(embeddedPids(dataDir).every(isAlive)).toBe(true);
    } finally {
      await stopService(run);
    }
  });

  it('should stop the embedded database when start-up fails after it started', async () => {
    const dataDir = temporaryFolder();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = startService({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir });
      let pid = 0;
      await waitFor(() => {
        if (!pid && existsSync(join(dataDir, 'ferretdb.json'))) pid = embeddedPid(dataDir);
        return run.child.exitCode !== null;
      }, 45_000);
      expect(await run.exited).toBe(1);
      expect(run.output()).toMatch(/EADDRINUSE|address already in use/);
      expect(pid).toBeGreaterThan(0);
      await waitFor(() => !isAlive(pid), 10_000);
    } finally {
      blocker.close();
    }
  });

  it('should stop with a message naming the host, not the password, when the database is unreachable', async () => {
    const run = startService({
      PORT: '0',
      MONGODB_URI: 'mongodb://admin:hunter2@127.0.0.1:9/clinic',
      MONGODB_TIMEOUT_MS: '500',
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('cannot reach the database at 127.0.0.1:9');
    expect(run.output()).not.toContain('hunter2');
  });

  it('should stop with a message naming the variable when configuration is invalid', async () => {
    const run = startService({ PORT: 'eighty', MONGODB_URI: 'mongodb://127.0.0.1:9' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/invalid configuration: PORT/);
  });

  it('should drain every request in flight when its whole process group gets SIGTERM, then stop its database', async () => {
    const stub = await TidepoolStub.start();
    const dataDir = temporaryFolder();
    const userId = '0123456789';
    const run = startService(
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        AUTH_PROVIDER: 'shoreline',
        AUTH_SERVICE_URL: stub.authServiceUrl,
        AUTH_SERVER_NAME: stub.serverName,
        AUTH_SERVER_SECRET: stub.serverSecret,
      },
      { ownGroup: true },
    );
    try {
      await waitFor(() => run.output().includes('Clinics API listening on'), 45_000);
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output())?.[1]);
      const pids = embeddedPids(dataDir);
      // Each request waits 1.5 s in authentication: all 50 are in flight when the signal comes.
      for (let i = 0; i < 50; i++) stub.tokens.set(`slow-${i}`, { userid: userId, isserver: false });
      stub.tokenDelayMs = 1500;
      const answers = Array.from({ length: 50 }, (_, i) =>
        getStatus(port, `/v1/clinicians/${userId}/clinics`, { 'x-tidepool-session-token': `slow-${i}` }),
      );
      await waitFor(() => stub.count('token') >= 50, 20_000);

      process.kill(-run.child.pid!, 'SIGTERM');
      await waitFor(() => run.output().includes('SIGTERM: shutting down'), 5_000);
      await expect(getStatus(port, '/live')).rejects.toThrow(/ECONNREFUSED/);

      expect(await Promise.all(answers)).toEqual(Array(50).fill(200));
      expect(await run.exited).toBe(0);
      await waitFor(() => !pids.some(isProcessAlive), 10_000);
      expect(existsSync(join(dataDir, 'ferretdb.json'))).toBe(false);
    } finally {
      if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      await stub.stop();
    }
  });

  it('should not leave its embedded database running when it is killed outright', async () => {
    const dataDir = temporaryFolder();
    const run = startService({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    await waitFor(() => run.output().includes('Clinics API listening on'), 45_000);
    const pids = embeddedPids(dataDir);
    expect(pids.every(isProcessAlive)).toBe(true);

    run.child.kill('SIGKILL');
    await run.exited;
    await waitFor(() => !pids.some(isProcessAlive), 15_000);
  });

  it('should answer 503 at once while its embedded database is down, start it again, and serve again', async () => {
    const dataDir = temporaryFolder();
    const run = startService({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir });
    try {
      await waitFor(() => run.output().includes('Clinics API listening on'), 45_000);
      const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output())?.[1]);
      const [ferretDbPid, postgresPid] = embeddedPids(dataDir);
      const clinicPath = '/v1/clinics/0123456789abcdef01234567';

      process.kill(ferretDbPid, 'SIGKILL');
      await waitFor(() => run.output().includes('exited unexpectedly'), 10_000);
      const started = Date.now();
      const whileDown = await getAnswer(port, clinicPath);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(whileDown.status).toBe(503);
      expect(JSON.parse(whileDown.body)).toEqual({
        code: 503,
        message: 'service unavailable: the database is not reachable, please retry',
      });
      expect(whileDown.headers['retry-after']).toBe('1');
      expect(await getStatus(port, '/live')).toBe(200);

      await waitFor(() => run.output().includes('embedded database: running again'), 30_000);
      expect(await getStatus(port, '/ready')).toBe(200);
      // Served again: without a token the session guard answers, not the availability check.
      const served = await getAnswer(port, clinicPath);
      expect({ status: served.status, body: JSON.parse(served.body) as unknown }).toEqual({
        status: 400,
        body: { code: 400, message: 'session token is missing' },
      });
      const [newFerretDbPid, newPostgresPid] = embeddedPids(dataDir);
      expect(newFerretDbPid).not.toBe(ferretDbPid);
      expect(isProcessAlive(newFerretDbPid) && isProcessAlive(newPostgresPid)).toBe(true);
      expect(isProcessAlive(postgresPid) && postgresPid !== newPostgresPid).toBe(false);
      expect(run.child.exitCode).toBeNull();
    } finally {
      await stopService(run);
    }
  });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET on a new connection (rejects when the connection is refused). */
function getAnswer(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function getStatus(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return (await getAnswer(port, path, headers)).status;
}
