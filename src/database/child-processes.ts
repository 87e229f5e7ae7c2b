import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Whether a process with this id is running. A zombie (ended, not yet reaped by its parent, which
 * for an orphan may take long) counts as ended.
 */
export function isProcessAlive(pid: number | undefined): pid is number {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/**
 * The process's start time in clock ticks since boot (Linux), which tells a process apart from a
 * later one that was given the same id. Undefined where /proc is not available.
 */
export function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = Number(fields[19]);
    return Number.isFinite(startTime) ? startTime : undefined;
  } catch {
    return undefined;
  }
}

/** The process's command line (Linux), or undefined when it cannot be read. */
export function processCommandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` is alive and, where the command line can be read, runs a command that contains
 * every one of `markers` (so a recycled process id is not taken for the process we started).
 */
export function isOurProcess(pid: number | undefined, markers: string[]): pid is number {
  if (!isProcessAlive(pid)) return false;
  const commandLine = processCommandLine(pid);
  return commandLine === undefined || markers.every((marker) => commandLine.includes(marker));
}

/** Keeps the last lines a child wrote (for error messages) and passes each line to `onLine`. */
export function collectOutput(child: ChildProcess, onLine?: (line: string) => void): string[] {
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    const added = chunk.toString('utf8').split('\n').filter(Boolean);
    lines.push(...added);
    lines.splice(0, Math.max(0, lines.length - 30));
    if (onLine) added.forEach(onLine);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return lines;
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Options for the embedded database's processes: a process group of their own (`detached`), so a
 * signal to the service's whole group (what supervisors send) reaches the service alone, which
 * drains its requests and then stops them in order.
 */
export const OWN_PROCESS_GROUP = { detached: true } as const;

/**
 * Makes sure `pid` does not outlive this process, however this one ends (SIGKILL included): a
 * small shell in its own process group reads a pipe from this process until end-of-file (the
 * kernel closes the pipe when this process is gone), then sends `signal` to `pid`. Returns a
 * function that disarms it, for when the process is stopped in order.
 */
export function stopWhenThisProcessEnds(pid: number, signal: 'TERM' | 'INT'): () => void {
  const watcher = spawn(
    '/bin/sh',
    ['-c', 'while read -r _; do :; done; kill -s "$1" "$2" 2>/dev/null', 'watch', signal, String(pid)],
    { ...OWN_PROCESS_GROUP, stdio: ['pipe', 'ignore', 'ignore'] },
  );
  watcher.on('error', () => undefined);
  watcher.stdin?.on('error', () => undefined);
  // Neither the watcher nor its pipe keeps this process running.
  watcher.unref();
  (watcher.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return () => {
    if (!hasExited(watcher)) watcher.kill('SIGKILL');
  };
}

/** Sends `signal`, then SIGKILL after `timeoutMs`, and resolves when the child has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Sends `signal` to a process this one did not start, then SIGKILL after `timeoutMs`, until it is gone. */
export async function stopProcess(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  const signalled = Date.now();
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  let killed = false;
  while (isProcessAlive(pid)) {
    if (!killed && Date.now() - signalled > timeoutMs) {
      killed = true;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
    }
    if (Date.now() - signalled > timeoutMs * 3) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
