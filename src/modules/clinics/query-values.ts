import { Types } from 'mongoose';

/** An RFC 3339 query value as a Date; the zero time (`0001-01-01T00:00:00Z`) counts as not given. */
export function parseQueryTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const time = new Date(value);
  return time.getUTCFullYear() <= 1 ? undefined : time;
}

/** Distinct hex ids as ObjectIds, for one `$in` query. */
export function uniqueObjectIds(ids: Iterable<string>): Types.ObjectId[] {
  return [...new Set(ids)].map((id) => new Types.ObjectId(id));
}
