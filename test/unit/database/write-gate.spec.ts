import {
  assertOutsideWriteGate,
  GatedWriter,
  refusedInsideWriteGates,
  WriteGateBusyError,
  WriteGateRank,
  WriteGateViolation,
  WriteLocks,
  WriteScope,
} from '../../../src/database/write-gate';

class CounterWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly store: { value: number },
  ) {
    super(scope);
  }

  /** A read–modify–write with a pause in between, like FerretDB's non-atomic update. */
  async increment(): Promise<void> {
    this.guard();
    const read = this.store.value;
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.store.value = read + 1;
  }
}

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

describe('WriteLocks', () => {
  it('should run work for one key one at a time, so no read–modify–write is lost', async () => {
    const locks = new WriteLocks();
    const store = { value: 0 };
    let running = 0;
    let mostAtOnce = 0;
    await Promise.all(
      Array.from({ length: 50 }, () =>
        locks.run('clinic:a', WriteGateRank.Clinic, async (scope) => {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          await new CounterWriter(scope, store).increment();
          running -= 1;
        }),
      ),
    );
    expect(store.value).toBe(50);
    expect(mostAtOnce).toBe(1);
    expect(locks.activeKeys).toBe(0);
  });

  it('should lose updates without the gate (the failure the gate prevents)', async () => {
    const store = { value: 0 };
    const scope = new WriteScope('clinic:a');
    await Promise.all(Array.from({ length: 50 }, () => new CounterWriter(scope, store).increment()));
    expect(store.value).toBeLessThan(50);
  });

  it('should run work for different keys in parallel', async () => {
    const locks = new WriteLocks();
    let running = 0;
    let mostAtOnce = 0;
    await Promise.all(
      ['clinic:a', 'clinic:b', 'clinic:c'].map((key) =>
        locks.run(key, WriteGateRank.Clinic, async () => {
          running += 1;
          mostAtOnce = Math.max(mostAtOnce, running);
          await tick(20);
          running -= 1;
        }),
      ),
    );
    expect(mostAtOnce).toBe(3);
  });

  it('should keep arrival order', async () => {
    const locks = new WriteLocks();
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        locks.run('clinic:a', WriteGateRank.Clinic, async () => {
          await tick();
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('should release the key when the work throws', async () => {
    const locks = new WriteLocks();
    await expect(
      locks.run('clinic:a', WriteGateRank.Clinic, () => Promise.reject(new Error('write failed'))),
    ).rejects.toThrow('write failed');
    expect(locks.activeKeys).toBe(0);
    await expect(locks.run('clinic:a', WriteGateRank.Clinic, () => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('should refuse a writer used after its gate was released', async () => {
    const locks = new WriteLocks();
    const store = { value: 0 };
    const escaped = await locks.run('clinic:a', WriteGateRank.Clinic, (scope) =>
      Promise.resolve(new CounterWriter(scope, store)),
    );
    await expect(escaped.increment()).rejects.toThrow(WriteGateViolation);
    expect(store.value).toBe(0);
  });

  it('should refuse to re-enter a key the request already holds, instead of waiting forever', async () => {
    const locks = new WriteLocks();
    await expect(
      locks.run('clinic:a', WriteGateRank.Clinic, () => locks.run('clinic:a', WriteGateRank.Clinic, () => tick())),
    ).rejects.toThrow(/already held/);
  });

  it('should let a confirmation gate enter a clinic gate, never the other way round', async () => {
    const locks = new WriteLocks();
    await expect(
      locks.run('confirmation:k', WriteGateRank.Confirmation, () =>
        locks.run('clinic:a', WriteGateRank.Clinic, () => Promise.resolve('ok')),
      ),
    ).resolves.toBe('ok');
    await expect(
      locks.run('clinic:a', WriteGateRank.Clinic, () =>
        locks.run('confirmation:k', WriteGateRank.Confirmation, () => Promise.resolve('ok')),
      ),
    ).rejects.toThrow(/may not be entered while holding clinic:a/);
  });

  it('should let two gates of one rank nest only in ascending key order', async () => {
    const locks = new WriteLocks();
    await expect(
      locks.run('clinic:a', WriteGateRank.Clinic, () =>
        locks.run('clinic:b', WriteGateRank.Clinic, () => Promise.resolve('ok')),
      ),
    ).resolves.toBe('ok');
    await expect(
      locks.run('clinic:b', WriteGateRank.Clinic, () =>
        locks.run('clinic:a', WriteGateRank.Clinic, () => Promise.resolve('ok')),
      ),
    ).rejects.toThrow(WriteGateViolation);
  });

  it('should refuse a waiter beyond the wait bound and keep serving the key afterwards', async () => {
    const locks = new WriteLocks({ maxWaitMs: 30 });
    let releaseHolder!: () => void;
    const holder = locks.run(
      'clinic:a',
      WriteGateRank.Clinic,
      () => new Promise<void>((resolve) => (releaseHolder = resolve)),
    );
    await tick();
    await expect(locks.run('clinic:a', WriteGateRank.Clinic, () => Promise.resolve())).rejects.toBeInstanceOf(
      WriteGateBusyError,
    );
    releaseHolder();
    await holder;
    await expect(locks.run('clinic:a', WriteGateRank.Clinic, () => Promise.resolve('served'))).resolves.toBe('served');
    await tick(5);
    expect(locks.activeKeys).toBe(0);
  });
});

describe('remote calls and write gates', () => {
  it('should refuse a remote call inside a gate and allow it outside', async () => {
    const locks = new WriteLocks();
    expect(() => assertOutsideWriteGate('sending e-mail')).not.toThrow();
    await expect(
      locks.run('clinic:a', WriteGateRank.Clinic, () => {
        assertOutsideWriteGate('sending e-mail');
        return Promise.resolve();
      }),
    ).rejects.toThrow('sending e-mail must not run while holding clinic:a');
  });

  it('should guard every method of a wrapped port', async () => {
    const locks = new WriteLocks();
    const port = refusedInsideWriteGates(
      {
        name: 'directory',
        getUser(id: string) {
          return Promise.resolve({ id, from: this.name });
        },
      },
      'the user directory',
    );
    await expect(port.getUser('u1')).resolves.toEqual({ id: 'u1', from: 'directory' });
    await expect(locks.run('clinic:a', WriteGateRank.Clinic, () => port.getUser('u1'))).rejects.toThrow(
      'the user directory (getUser) must not run while holding clinic:a',
    );
  });
});
