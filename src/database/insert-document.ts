import type { Model } from 'mongoose';

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
