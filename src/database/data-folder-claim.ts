import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProcessAlive, processStartTime } from './child-processes';

/** DATA_DIR/service.json: which service process serves the data folder. */
export const CLAIM_FILE = 'service.json';

interface Claim {
  pid: number;
  /** The process's start time (Linux clock ticks), to tell it apart from a later process with the same id. */
  startTime?: number;
  since: string;
}

export class DataFolderClaimedError extends Error {
  override readonly name = 'DataFolderClaimedError';
}

export interface DataFolderClaim {
  release(): void;
}

function holderAlive(claim: Claim): boolean {
  if (!isProcessAlive(claim.pid)) return false;
  if (claim.startTime === undefined) return true;
  const startTime = processStartTime(claim.pid);
  return startTime === undefined || startTime === claim.startTime;
}

function readClaim(file: string): Claim | undefined {
  try {
    const claim = JSON.parse(readFileSync(file, 'utf8')) as Partial<Claim>;
    return typeof claim.pid === 'number' ? (claim as Claim) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims the data folder for this service process: only one service may run the embedded
 * database on a folder (the command-line tool does not claim it, and reuses that database).
 * A claim whose process has ended is taken over. The claim is released on `release()` and when
 * this process exits.
 */
export function claimDataFolder(dataDir: string): DataFolderClaim {
  const folder = resolve(dataDir);
  const file = join(folder, CLAIM_FILE);
  mkdirSync(folder, { recursive: true });
  const ours: Claim = { pid: process.pid, startTime: processStartTime(process.pid), since: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // 'wx': fails when the file exists, so two starting services cannot both write it.
      writeFileSync(file, JSON.stringify(ours), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
    }
    const holder = readClaim(file);
    if (holder && holder.pid !== process.pid && holderAlive(holder)) {
      throw new DataFolderClaimedError(
        `another Clinics API process (pid ${holder.pid}) is already serving the data folder ${folder}; ` +
          'stop it first, or give this one its own DATA_DIR',
      );
    }
    // A stale claim (its process has ended), an unreadable one, or our own: replace it.
    rmSync(file, { force: true });
  }

  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    if (readClaim(file)?.pid === process.pid) rmSync(file, { force: true });
  };
  process.once('exit', release);
  return { release };
}
