import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ClinicErrors } from './clinic-errors';
import { LocksRepository } from './repositories/locks.repository';

export interface ClinicLockOptions {
  /** How long a holder may keep the lock before others may take it over (a crashed holder). */
  leaseMs: number;
  /** How long a request waits for the lock before answering 409. */
  waitMs: number;
}

export const CLINIC_LOCK_OPTIONS = Symbol('CLINIC_LOCK_OPTIONS');

const DEFAULTS: ClinicLockOptions = { leaseMs: 30_000, waitMs: 10_000 };
const MIN_BACKOFF_MS = 2;
const MAX_BACKOFF_MS = 50;

/**
 * Serialises the writes to one clinic's documents (the clinic and its clinician records).
 *
 * Why: FerretDB 1.x applies an update by reading the document, changing it in the server's memory and
 * writing the whole document back, with nothing in between to stop another update of the same
 * document — so two concurrent conditional updates can both "match", and one overwrites the other
 * (measured on v1.24.2: 100 concurrent `$inc` of one field end at 4; 20 concurrent `$pull`s
 * conditional on `admins.1` existing leave the array empty of the other admin). On MongoDB the
 * conditional single-document updates in the repositories are atomic on their own; this lock makes
 * the same code correct on FerretDB, with several service instances too, using the one primitive
 * both make atomic: inserting a document with a unique `_id`.
 *
 * A lock left behind by a crashed holder expires after `leaseMs` and is taken over.
 */
@Injectable()
export class ClinicLock {
  private readonly logger = new Logger(ClinicLock.name);
  private readonly options: ClinicLockOptions;

  constructor(
    private readonly locks: LocksRepository,
    @Optional() @Inject(CLINIC_LOCK_OPTIONS) options?: Partial<ClinicLockOptions>,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** Runs `work` while holding the clinic's lock; 409 when it cannot be had within `waitMs`. */
  run<T>(clinicId: string, work: () => Promise<T>): Promise<T> {
    return this.runExclusive(`clinic:${clinicId}`, work);
  }

  /**
   * The same for any other named resource (e.g. `confirmation:<key>`). Callers that hold such a lock
   * may take a clinic's lock inside it, never the other way round, so two locks never wait on each other.
   */
  async runExclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const token = randomBytes(12).toString('hex');
    await this.acquire(key, token);
    try {
      return await work();
    } finally {
      await this.locks.delete(key, token).catch((error: unknown) => {
        this.logger.error({ err: error, key }, 'could not release a lock; it expires with its lease');
      });
    }
  }

  private async acquire(key: string, token: string): Promise<void> {
    const deadline = Date.now() + this.options.waitMs;
    for (let backoff = MIN_BACKOFF_MS; ; backoff = Math.min(backoff * 2, MAX_BACKOFF_MS)) {
      const now = Date.now();
      if (await this.locks.tryInsert({ _id: key, token, expiresAt: new Date(now + this.options.leaseMs) })) return;
      const holder = await this.locks.find(key);
      if (holder && holder.expiresAt.getTime() <= now) {
        // The holder is gone (its lease ran out): remove its lock — only that one, by its token — and retry.
        this.logger.warn({ key }, 'taking over an expired lock');
        await this.locks.delete(key, holder.token);
        continue;
      }
      if (Date.now() + backoff > deadline) throw ClinicErrors.concurrentModification();
      await new Promise((resolve) => setTimeout(resolve, backoff / 2 + Math.random() * backoff));
    }
  }
}
