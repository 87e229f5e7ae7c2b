import type { Model } from 'mongoose';

/** A filter whose values already have their stored types (ObjectIds, dates): nothing to cast. */
export type TypedFilter = Record<string, unknown>;

/**
 * Reads straight from a model's collection, returning documents as `findOne(...).lean()` does. A
 * Mongoose query costs about as much CPU again as the driver's own work for a small read (building
 * and casting the query, its middleware), so the reads that most requests make go this way: the
 * caller's filter must already hold ObjectIds and dates, as Mongoose would have cast them.
 */
export function findOneLean<T>(model: Model<T>, filter: TypedFilter): Promise<T | null> {
  return model.collection.findOne(filter) as Promise<T | null>;
}

/** As {@link findOneLean}, for a sorted page: `find(filter).sort(sort).skip(skip).limit(limit).lean()`. */
export function findLean<T>(
  model: Model<T>,
  filter: TypedFilter,
  options: { sort?: Record<string, 1 | -1>; skip?: number; limit?: number } = {},
): Promise<T[]> {
  return model.collection.find(filter, options).toArray() as Promise<T[]>;
}
