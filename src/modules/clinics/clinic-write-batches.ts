import { BatchOutcome, GroupCommit, settled } from '../../database/group-commit';
import { heldWriteGates } from '../../database/write-gate';
import type { ClinicWriteGate, ClinicWrites } from './clinic-write-gate';

export type { BatchOutcome } from '../../database/group-commit';

/** Writes a batch of items of one clinic inside its gate: one outcome per item, in order. */
export type BatchWrite<Item, Result> = (
  writes: ClinicWrites,
  clinicId: string,
  items: Item[],
) => Promise<Array<BatchOutcome<Result>>>;

/**
 * Group commit for one kind of write to a clinic. Writes to a clinic run one at a time through its
 * gate; the calls of this kind that arrive while the gate is busy wait together and are then written
 * in one gated run ({@link GroupCommit}). A call made by work that already holds a gate enters the
 * gate by itself, so the gates' nesting rules apply to it unchanged.
 */
export class ClinicWriteBatches<Item, Result> {
  private readonly commits: GroupCommit<Item, Result>;

  constructor(
    private readonly gate: ClinicWriteGate,
    private readonly write: BatchWrite<Item, Result>,
    maxBatch?: number,
  ) {
    this.commits = new GroupCommit(
      (clinicId, takeItems) => gate.run(clinicId, (writes) => write(writes, clinicId, takeItems())),
      maxBatch,
    );
  }

  submit(clinicId: string, item: Item): Promise<Result> {
    if (heldWriteGates().length > 0) {
      return this.gate.run(clinicId, async (writes) => settled((await this.write(writes, clinicId, [item]))[0]));
    }
    return this.commits.submit(clinicId, item);
  }
}
