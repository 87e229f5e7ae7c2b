import type { Model } from 'mongoose';
import type { BatchOutcome } from './group-commit';

/**
 * A new document as `Model.create` stores it: cast, defaults applied, validated (a failure throws
 * Mongoose's validation error), with the version key where the schema keeps one.
 */
export async function storedDocument<T>(model: Model<T>, record: object): Promise<Record<string, unknown>> {
  const document = new model(record);
  await document.validate();
  const stored = document.toObject({ depopulate: true, virtuals: false, getters: false, transform: false }) as Record<
    string,
    unknown
  >;
  const versionKey = model.schema.get('versionKey');
  if (typeof versionKey === 'string' && !(versionKey in stored)) stored[versionKey] = 0;
  return stored;
}

/**
 * Inserts a new document as `Model.create` stores it ({@link storedDocument}) in one `insertOne`,
 * without the save machinery of a Mongoose document (state tracking, save hooks, which no schema
 * here has), which costs the service more CPU than the insert itself.
 */
export async function insertDocument<T>(model: Model<T>, record: object): Promise<void> {
  await model.collection.insertOne(await storedDocument(model, record));
}

/**
 * Inserts new documents ({@link storedDocument} each) in one unordered `insertMany`: each is stored
 * or not on its own. One outcome per record, in order: the record, or the error it failed with (its
 * validation error, or the server's, e.g. duplicate key, shaped as the driver throws it for a single
 * insert). An error that is not about single documents is thrown.
 */
export async function insertDocuments<T, R extends object>(
  model: Model<T>,
  records: R[],
): Promise<Array<BatchOutcome<R>>> {
  const outcomes: Array<BatchOutcome<R>> = [];
  const valid: Array<{ index: number; document: object }> = [];
  for (const record of records) {
    try {
      const document = await storedDocument(model, record);
      outcomes.push({ value: record });
      valid.push({ index: outcomes.length - 1, document });
    } catch (error) {
      outcomes.push({ error });
    }
  }
  if (valid.length === 0) return outcomes;
  try {
    await model.collection.insertMany(
      valid.map((entry) => entry.document),
      { ordered: false },
    );
  } catch (error) {
    const writeErrors = (error as { writeErrors?: Array<{ index: number; code?: number; errmsg?: string }> })
      .writeErrors;
    if (!Array.isArray(writeErrors)) throw error;
    for (const writeError of writeErrors) {
      const entry = valid[writeError.index];
      if (entry) {
        outcomes[entry.index] = { error: Object.assign(new Error(writeError.errmsg), { code: writeError.code }) };
      }
    }
  }
  return outcomes;
}
