import { AsyncLocalStorage } from 'node:async_hooks';
import { Mutex } from 'async-mutex';
import type { Model } from 'mongoose';
import type { BatchOutcome } from './group-commit';
import { insertDocuments } from './insert-document';

/**
 * The order in which gates may be nested, so two requests never wait on each other: work holding a
 * gate may enter a gate of a higher rank (an invite's gate may take its clinic's, never the other way
 * round), or of the same rank with a greater key (two clinics in ascending id order).
 */
export enum WriteGateRank {
  Confirmation = 1,
  Clinic = 2,
  /** Documents of the EHR integrations not owned by a clinic (stored partner messages, scheduled orders). */
  Integration = 3,
}

/** A programming error: a write outside its gate, a remote call inside one, or gates nested wrongly. */
export class WriteGateViolation extends Error {
  override readonly name = 'WriteGateViolation';
}

/** Raised when a gate could not be entered within the wait bound (the caller answers 503). */
export class WriteGateBusyError extends Error {
  override readonly name = 'WriteGateBusyError';

  constructor(readonly key: string) {
    super(`writes to ${key} are queued beyond the wait bound`);
  }
}

interface HeldGate {
  key: string;
  rank: WriteGateRank;
}

const heldGates = new AsyncLocalStorage<readonly HeldGate[]>();

/** The gates the current async context holds (outermost first). */
export function heldWriteGates(): readonly string[] {
  return (heldGates.getStore() ?? []).map((gate) => gate.key);
}

/**
 * Remote calls (SMTP, the user directory, partner APIs) must not run while a gate is held: they
 * are slow and can time out, and every other writer of the same clinic would wait for them.
 */
export function assertOutsideWriteGate(what: string): void {
  const held = heldWriteGates();
  if (held.length > 0) throw new WriteGateViolation(`${what} must not run while holding ${held.join(', ')}`);
}

/**
 * Handed to the writers of one gated run. Writers check it before every write, so a writer that
 * escapes its run (kept in a variable, used from a timer) fails loudly instead of writing unguarded.
 */
export class WriteScope {
  private open = true;

  constructor(readonly key: string) {}

  assertOpen(): void {
    if (!this.open) throw new WriteGateViolation(`a writer for ${this.key} was used after its gate was released`);
  }

  close(): void {
    this.open = false;
  }
}

/** Base of every writer class: the only code that writes gated collections. */
export abstract class GatedWriter {
  protected constructor(protected readonly scope: WriteScope) {}

  /** Call first in every write method. */
  protected guard(): void {
    this.scope.assertOpen();
  }

  /**
   * One record for the clinic of each writer, all in one insert command ({@link insertDocuments}),
   * once every writer is checked: `model` is the collection the writers write, `record` builds the
   * record of the writer at an index. An outcome per record, in order.
   */
  protected static insertForEach<W extends GatedWriter, T, R extends object>(
    writers: W[],
    model: (writer: W) => Model<T>,
    record: (writer: W, index: number) => R,
  ): Promise<Array<BatchOutcome<R>>> {
    for (const writer of writers) writer.guard();
    if (writers.length === 0) return Promise.resolve([]);
    return insertDocuments(model(writers[0]), writers.map(record));
  }
}

export interface WriteLocksOptions {
  /** How long a writer may wait for its turn before the request is refused with 503. */
  maxWaitMs: number;
}

export const DEFAULT_WRITE_LOCKS_OPTIONS: WriteLocksOptions = { maxWaitMs: 30_000 };

interface Entry {
  mutex: Mutex;
  users: number;
}

/**
 * Keyed in-process mutexes: work for one key runs one at a time, in arrival order, with no
 * database round trip and no lease that could expire under a slow holder. Entries exist only while
 * someone holds or waits for the key.
 *
 * Why in-process: FerretDB 1.x applies an update as read–modify–write in its own process, so
 * conditional updates are not atomic there; the embedded database serves one service process
 * (a second one refuses to start), so serialising in that process is exact. On MongoDB the
 * conditional updates are atomic by themselves and hold across any number of instances.
 */
export class WriteLocks {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: WriteLocksOptions = DEFAULT_WRITE_LOCKS_OPTIONS) {}

  /** How many keys are held or awaited right now (for tests and diagnostics). */
  get activeKeys(): number {
    return this.entries.size;
  }

  async run<T>(key: string, rank: WriteGateRank, work: (scope: WriteScope) => Promise<T>): Promise<T> {
    const held = heldGates.getStore() ?? [];
    if (held.some((gate) => gate.key === key)) {
      throw new WriteGateViolation(`${key} is already held by this request (gates are not re-entrant)`);
    }
    const outer = held.find((gate) => gate.rank > rank || (gate.rank === rank && gate.key > key));
    if (outer) throw new WriteGateViolation(`${key} may not be entered while holding ${outer.key}`);

    const entry = this.acquireEntry(key);
    let release: (() => void) | undefined;
    try {
      release = await this.waitForTurn(entry.mutex, key);
      const scope = new WriteScope(key);
      try {
        return await heldGates.run([...held, { key, rank }], () => work(scope));
      } finally {
        scope.close();
      }
    } finally {
      release?.();
      this.releaseEntry(key, entry);
    }
  }

  private async waitForTurn(mutex: Mutex, key: string): Promise<() => void> {
    let timer: NodeJS.Timeout | undefined;
    const acquiring = mutex.acquire();
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new WriteGateBusyError(key)), this.options.maxWaitMs);
    });
    try {
      return await Promise.race([acquiring, timeout]);
    } catch (error) {
      // Still queued: release the turn as soon as it comes, so later waiters are not blocked.
      void acquiring.then((release) => release());
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private acquireEntry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { mutex: new Mutex(), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users += 1;
    return entry;
  }

  private releaseEntry(key: string, entry: Entry): void {
    entry.users -= 1;
    if (entry.users === 0 && this.entries.get(key) === entry) this.entries.delete(key);
  }
}

/**
 * Wraps a port to a remote system (the user directory, the mailer) so that every call first checks
 * it is not made while holding a write gate — whichever adapter is configured, the embedded ones
 * used in tests included, so a violation fails the tests rather than a production request.
 */
export function refusedInsideWriteGates<T extends object>(port: T, what: string): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        assertOutsideWriteGate(`${what} (${String(property)})`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
