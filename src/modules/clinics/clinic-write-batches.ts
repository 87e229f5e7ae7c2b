import { heldWriteGates } from '../../database/write-gate';
import type { ClinicWriteGate, ClinicWrites } from './clinic-write-gate';

/** The result of one item of a batch: its value, or the error its caller gets. */
export type BatchOutcome<T> = { value: T } | { error: unknown };

/** Writes a batch of items of one clinic inside its gate: one outcome per item, in order. */
export type BatchWrite<Item, Result> = (
  writes: ClinicWrites,
  clinicId: string,
  items: Item[],
) => Promise<Array<BatchOutcome<Result>>>;

interface Waiting<Item, Result> {
  item: Item;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

/** Items written in one gated run at most. */
const DEFAULT_MAX_BATCH = 100;

/**
 * Group commit for one kind of write to a clinic. Writes to a clinic run one at a time through its
 * gate; the calls of this kind that arrive while the gate is busy wait together and are then written
 * in one gated run, so N waiting writes cost one run's database round trips instead of N runs'.
 * Every call still gets its own result or error. A call made by work that already holds a gate
 * enters the gate by itself, so the gates' nesting rules apply to it unchanged. A batch runs in the
 * async context of the call that started it (its request id is on the lines the batch logs).
 */
export class ClinicWriteBatches<Item, Result> {
  /** Per clinic: the batch that is waiting for the gate and still takes items. */
  private readonly open = new Map<string, Array<Waiting<Item, Result>>>();

  constructor(
    private readonly gate: ClinicWriteGate,
    private readonly write: BatchWrite<Item, Result>,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
  ) {}

  submit(clinicId: string, item: Item): Promise<Result> {
    if (heldWriteGates().length > 0) {
      return this.gate.run(clinicId, async (writes) => settled((await this.write(writes, clinicId, [item]))[0]));
    }
    return new Promise<Result>((resolve, reject) => {
      const waiting = { item, resolve, reject };
      const batch = this.open.get(clinicId);
      if (batch && batch.length < this.maxBatch) {
        batch.push(waiting);
        return;
      }
      this.start(clinicId, [waiting]);
    });
  }

  private start(clinicId: string, batch: Array<Waiting<Item, Result>>): void {
    this.open.set(clinicId, batch);
    const close = (): void => {
      if (this.open.get(clinicId) === batch) this.open.delete(clinicId);
    };
    this.gate
      .run(clinicId, async (writes) => {
        // From here on, new calls form the next batch, which waits for this run to end.
        close();
        const outcomes = await this.write(
          writes,
          clinicId,
          batch.map((waiting) => waiting.item),
        );
        batch.forEach((waiting, index) => {
          const outcome = outcomes[index];
          if ('error' in outcome) waiting.reject(outcome.error);
          else waiting.resolve(outcome.value);
        });
      })
      .catch((error: unknown) => {
        // The gate could not be entered, or the batch failed as a whole: every call gets the error.
        close();
        for (const waiting of batch) waiting.reject(error);
      });
  }
}

function settled<T>(outcome: BatchOutcome<T>): T {
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
