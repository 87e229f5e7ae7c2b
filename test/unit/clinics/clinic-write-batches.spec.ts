import { BatchOutcome, ClinicWriteBatches } from '../../../src/modules/clinics/clinic-write-batches';
import type { ClinicWriteGate, ClinicWrites } from '../../../src/modules/clinics/clinic-write-gate';
import {
  heldWriteGates,
  WriteGateBusyError,
  WriteGateRank,
  WriteGateViolation,
  WriteLocks,
} from '../../../src/database/write-gate';

const CLINIC_A = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const CLINIC_B = 'bbbbbbbbbbbbbbbbbbbbbbbb';

/** The clinic gate's locking (the real WriteLocks) without its database writers, which these tests do not use. */
function gateOn(locks: WriteLocks): ClinicWriteGate {
  return {
    run: <T>(clinicId: string, work: (writes: ClinicWrites) => Promise<T>) =>
      locks.run(`clinic:${clinicId}`, WriteGateRank.Clinic, () => work({} as ClinicWrites)),
  } as ClinicWriteGate;
}

const tick = (ms = 1) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ClinicWriteBatches', () => {
  it('should write the calls that arrive while the gate is busy in one run, each answered on its own', async () => {
    const locks = new WriteLocks();
    const gate = gateOn(locks);
    const runs: Array<{ clinicId: string; items: number[]; gates: readonly string[] }> = [];
    const batches = new ClinicWriteBatches<number, string>(gate, async (_writes, clinicId, items) => {
      runs.push({ clinicId, items, gates: heldWriteGates() });
      await tick(5);
      return items.map((item): BatchOutcome<string> =>
        item % 3 === 0 ? { error: new Error(`no ${item}`) } : { value: `ok ${item}` },
      );
    });

    // The gate is busy with other work while the calls arrive.
    let releaseOther!: () => void;
    const other = gate.run(CLINIC_A, () => new Promise<void>((resolve) => (releaseOther = resolve)));
    await tick();
    const answers = Array.from({ length: 10 }, (_, i) => batches.submit(CLINIC_A, i + 1));
    const elsewhere = batches.submit(CLINIC_B, 100);
    await tick(10);
    releaseOther();
    await other;

    const settled = await Promise.allSettled(answers);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([
      'ok 1',
      'ok 2',
      'no 3',
      'ok 4',
      'ok 5',
      'no 6',
      'ok 7',
      'ok 8',
      'no 9',
      'ok 10',
    ]);
    await expect(elsewhere).resolves.toBe('ok 100');
    expect(runs).toEqual([
      // Clinic B was free: its call was written at once, in parallel with A's queue.
      { clinicId: CLINIC_B, items: [100], gates: [`clinic:${CLINIC_B}`] },
      { clinicId: CLINIC_A, items: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], gates: [`clinic:${CLINIC_A}`] },
    ]);
    expect(locks.activeKeys).toBe(0);
  });

  it('should start the next batch with the calls that arrive while a batch is written', async () => {
    const gate = gateOn(new WriteLocks());
    const runs: number[][] = [];
    const batches = new ClinicWriteBatches<number, number>(gate, async (_writes, _clinicId, items) => {
      runs.push(items);
      await tick(5);
      return items.map((item) => ({ value: item * 2 }));
    });

    const first = batches.submit(CLINIC_A, 1);
    await tick(1);
    const later = [batches.submit(CLINIC_A, 2), batches.submit(CLINIC_A, 3)];

    await expect(Promise.all([first, ...later])).resolves.toEqual([2, 4, 6]);
    expect(runs).toEqual([[1], [2, 3]]);
  });

  it('should not let a batch grow beyond its bound', async () => {
    const gate = gateOn(new WriteLocks());
    const runs: number[][] = [];
    const batches = new ClinicWriteBatches<number, number>(
      gate,
      async (_writes, _clinicId, items) => {
        runs.push(items);
        await tick(2);
        return items.map((item) => ({ value: item }));
      },
      3,
    );
    const first = batches.submit(CLINIC_A, 0);
    const rest = Array.from({ length: 7 }, (_, i) => batches.submit(CLINIC_A, i + 1));
    await Promise.all([first, ...rest]);
    expect(runs.map((items) => items.length).every((length) => length <= 3)).toBe(true);
    expect(runs.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('should give every call of a batch the error when the batch fails as a whole, and go on afterwards', async () => {
    const gate = gateOn(new WriteLocks());
    let fail = true;
    const batches = new ClinicWriteBatches<number, number>(gate, async (_writes, _clinicId, items) => {
      await tick(2);
      if (fail) throw new Error('database gone');
      return items.map((item) => ({ value: item }));
    });
    const failed = await Promise.allSettled([batches.submit(CLINIC_A, 1), batches.submit(CLINIC_A, 2)]);
    expect(failed.map((s) => s.status === 'rejected' && (s.reason as Error).message)).toEqual([
      'database gone',
      'database gone',
    ]);
    fail = false;
    await expect(batches.submit(CLINIC_A, 3)).resolves.toBe(3);
  });

  it('should refuse the calls of a batch with 503 when the gate stays busy beyond the wait bound', async () => {
    const locks = new WriteLocks({ maxWaitMs: 20 });
    const gate = gateOn(locks);
    const batches = new ClinicWriteBatches<number, number>(gate, (_writes, _clinicId, items) =>
      Promise.resolve(items.map((item) => ({ value: item }))),
    );
    let releaseOther!: () => void;
    const other = gate.run(CLINIC_A, () => new Promise<void>((resolve) => (releaseOther = resolve)));
    const waiting = await Promise.allSettled([batches.submit(CLINIC_A, 1), batches.submit(CLINIC_A, 2)]);
    expect(waiting.every((s) => s.status === 'rejected' && s.reason instanceof WriteGateBusyError)).toBe(true);
    releaseOther();
    await other;
    await expect(batches.submit(CLINIC_A, 3)).resolves.toBe(3);
  });

  it('should let work that holds a gate enter by itself, under the gates’ nesting rules', async () => {
    const locks = new WriteLocks();
    const gate = gateOn(locks);
    const runs: number[][] = [];
    const batches = new ClinicWriteBatches<number, number>(gate, (_writes, _clinicId, items) => {
      runs.push(items);
      return Promise.resolve(items.map((item) => ({ value: item })));
    });

    // Holding an invite's gate (a lower rank), a clinic's may be entered: alone, not batched.
    await expect(
      locks.run('confirmation:x', WriteGateRank.Confirmation, () => batches.submit(CLINIC_A, 1)),
    ).resolves.toBe(1);
    // Holding clinic B's gate, clinic A's (a smaller id) may not be entered, batched or not.
    await expect(gate.run(CLINIC_B, () => batches.submit(CLINIC_A, 2))).rejects.toThrow(WriteGateViolation);
    expect(runs).toEqual([[1]]);
  });
});
