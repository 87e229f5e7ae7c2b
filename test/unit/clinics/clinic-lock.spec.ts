import { ApiError } from '../../../src/common/errors/api-error';
import { ClinicLock } from '../../../src/modules/clinics/clinic-lock';
import type { LocksRepository } from '../../../src/modules/clinics/repositories/locks.repository';
import type { LockRecord } from '../../../src/modules/clinics/schemas/lock.schema';

/** An in-memory `locks` collection with the one guarantee the real one gives: a unique `_id`. */
class MemoryLocks {
  readonly documents = new Map<string, LockRecord>();

  tryInsert(lock: LockRecord): Promise<boolean> {
    if (this.documents.has(lock._id)) return Promise.resolve(false);
    this.documents.set(lock._id, { ...lock });
    return Promise.resolve(true);
  }

  find(key: string): Promise<LockRecord | null> {
    return Promise.resolve(this.documents.get(key) ?? null);
  }

  delete(key: string, token: string): Promise<void> {
    if (this.documents.get(key)?.token === token) this.documents.delete(key);
    return Promise.resolve();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ClinicLock', () => {
  let locks: MemoryLocks;

  beforeEach(() => {
    locks = new MemoryLocks();
  });

  const lockWith = (options: { leaseMs?: number; waitMs?: number } = {}) =>
    new ClinicLock(locks as unknown as LocksRepository, options);

  it('should run critical sections of one clinic one at a time, and release the lock', async () => {
    const lock = lockWith();
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        lock.run('c1', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await sleep(2);
          order.push(i);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(order.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(locks.documents.size).toBe(0);
  });

  it('should not make different clinics wait for each other', async () => {
    const lock = lockWith({ waitMs: 50 });
    let release!: () => void;
    const held = lock.run('c1', () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(1);
    await expect(lock.run('c2', () => Promise.resolve('done'))).resolves.toBe('done');
    release();
    await held;
  });

  it('should release the lock when the work fails, and pass the error on', async () => {
    const lock = lockWith();
    await expect(lock.run('c1', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(locks.documents.size).toBe(0);
  });

  it('should answer 409 when the lock stays held longer than the wait', async () => {
    await locks.tryInsert({ _id: 'clinic:c1', token: 'other', expiresAt: new Date(Date.now() + 60_000) });
    const work = jest.fn(() => Promise.resolve());
    const error = await lockWith({ waitMs: 30 })
      .run('c1', work)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    expect(work).not.toHaveBeenCalled();
    expect(locks.documents.get('clinic:c1')!.token).toBe('other');
  });

  it('should take over a lock whose lease has run out', async () => {
    await locks.tryInsert({ _id: 'clinic:c1', token: 'crashed', expiresAt: new Date(Date.now() - 1) });
    await expect(lockWith({ waitMs: 30 }).run('c1', () => Promise.resolve('ran'))).resolves.toBe('ran');
    expect(locks.documents.size).toBe(0);
  });
});
