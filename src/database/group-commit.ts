/** The result of one item of a batch: its value, or the error its caller gets. */
export type BatchOutcome<T> = { value: T } | { error: unknown };

/**
 * Writes one batch of one key: once the batch has its turn it calls `takeItems` (from then on, new
 * calls form the next batch) and answers one outcome per item taken, in order.
 */
export type RunBatch<Item, Result> = (key: string, takeItems: () => Item[]) => Promise<Array<BatchOutcome<Result>>>;

interface Waiting<Item, Result> {
  item: Item;
  resolve: (value: Result) => void;
  reject: (error: unknown) => void;
}

/** Items written in one batch at most. */
const DEFAULT_MAX_BATCH = 100;

/**
 * Group commit: the calls for one key that arrive while that key's previous batch is being written
 * wait together and are then written as one batch, so N waiting writes cost one batch's database
 * round trips instead of N. Every call still gets its own result or error. `runBatch` decides what a
 * turn is (a clinic's write gate, a mutex); a batch takes new items until its turn comes. A batch
 * runs in the async context of the call that started it.
 */
export class GroupCommit<Item, Result> {
  /** Per key: the batch that is waiting for its turn and still takes items. */
  private readonly open = new Map<string, Array<Waiting<Item, Result>>>();

  constructor(
    private readonly runBatch: RunBatch<Item, Result>,
    private readonly maxBatch = DEFAULT_MAX_BATCH,
  ) {}

  submit(key: string, item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const waiting = { item, resolve, reject };
      const batch = this.open.get(key);
      if (batch && batch.length < this.maxBatch) {
        batch.push(waiting);
        return;
      }
      this.start(key, [waiting]);
    });
  }

  private start(key: string, batch: Array<Waiting<Item, Result>>): void {
    this.open.set(key, batch);
    const close = (): void => {
      if (this.open.get(key) === batch) this.open.delete(key);
    };
    const takeItems = (): Item[] => {
      close();
      return batch.map((waiting) => waiting.item);
    };
    this.runBatch(key, takeItems).then(
      (outcomes) => {
        close();
        batch.forEach((waiting, index) => {
          const outcome = outcomes[index];
          if ('error' in outcome) waiting.reject(outcome.error);
          else waiting.resolve(outcome.value);
        });
      },
      (error: unknown) => {
        // The turn never came, or the batch failed as a whole: every call gets the error.
        close();
        for (const waiting of batch) waiting.reject(error);
      },
    );
  }
}

/** The value of an outcome, or its error thrown. */
export function settled<T>(outcome: BatchOutcome<T>): T {
  if ('error' in outcome) throw outcome.error;
  return outcome.value;
}
