import type { Schema } from 'mongoose';

export interface PatientListIndex {
  key: Record<string, 1 | -1>;
  /** The query it serves. */
  serves: string;
}

/**
 * The `patients` indexes ListPatients' query shapes need (see `patientListQuery`). Portable (decisions
 * §5): plain compound keys, no partial filter, collation or text. Every shape filters on `clinicId`
 * first; sorts always end with `_id` ascending, so each order has its own key.
 *
 * Summary sorts and filters (about a hundred metrics × four periods × CGM/BGM, plus their `has…` flags)
 * cannot each have an index (MongoDB allows 64 per collection, and each would be rewritten on every
 * summary update): they use the clinic prefix of these keys and a top-k sort bounded by offset + limit.
 */
export const PATIENT_LIST_INDEXES: readonly PatientListIndex[] = [
  {
    key: { clinicId: 1, fullNameKey: 1, _id: 1 },
    serves: 'ListPatients in the default order and sort=+fullName, with any filter; the counts',
  },
  { key: { clinicId: 1, fullNameKey: -1, _id: 1 }, serves: 'ListPatients sort=-fullName' },
  { key: { clinicId: 1, birthDate: 1, _id: 1 }, serves: 'ListPatients sort=+birthDate' },
  { key: { clinicId: 1, birthDate: -1, _id: 1 }, serves: 'ListPatients sort=-birthDate' },
  {
    key: { clinicId: 1, tags: 1, fullNameKey: 1, _id: 1 },
    serves: 'ListPatients tags=… (all of) in the default order',
  },
  {
    key: { clinicId: 1, 'sites.id': 1, fullNameKey: 1, _id: 1 },
    serves: 'ListPatients sites=… (any of) in the default order',
  },
];

/** Declares {@link PATIENT_LIST_INDEXES} on the patients schema, except keys it declares already. */
export function declarePatientListIndexes(schema: Schema): void {
  const declared = new Set(schema.indexes().map(([key]) => JSON.stringify(key)));
  for (const index of PATIENT_LIST_INDEXES) {
    if (!declared.has(JSON.stringify(index.key))) schema.index(index.key);
  }
}
