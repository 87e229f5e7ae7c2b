import { Double } from 'mongodb';
import { ApiError } from '../../common/errors/api-error';
import type { EhrMatchFilter } from '../clinics/ehr/ehr-subscriptions.service';
import type { RedoxMetaRecord } from './messages/redox-message.schema';

/** The parts of a Redox message the service reads; everything else is stored untouched. */
export interface RedoxMessagePayload {
  Meta?: unknown;
  Patient?: {
    Identifiers?: Array<{ ID?: unknown; IDType?: unknown }> | null;
    Demographics?: { DOB?: unknown; FirstName?: unknown; LastName?: unknown } | null;
  } | null;
  [key: string]: unknown;
}

export const PATIENT_MATCH_CRITERIA = ['MRN', 'MRN_DOB', 'DOB_FULLNAME'] as const;
export type PatientMatchCriterion = (typeof PATIENT_MATCH_CRITERIA)[number];

/** The values an order offers for patient matching (§1.4 step 8). */
export interface PatientMatchValues {
  mrn: string;
  birthDate: string;
  fullName: string;
}

export const RedoxMessages = {
  invalidMetadata: (): ApiError => ApiError.badRequest('cannot process message with invalid metadata'),
  sourceIdRequired: (): ApiError => ApiError.badRequest('source id is required'),
  dateOfBirthMissing: (): ApiError => ApiError.badRequest('date of birth is missing'),
  fullNameMissing: (): ApiError => ApiError.badRequest('full name is missing'),
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/**
 * `meta` as stored, from a received message's `Meta` (§1.3): `DataModel` and `EventType` must be
 * non-empty strings (else 400 `cannot process message with invalid metadata`); `EventDateTime`, `Test`
 * and `FacilityCode` become null when absent; `Destinations`, `Logs`, `Message`, `Source` and
 * `Transmission` are kept (with their known keys) only when present.
 */
export function toStoredMeta(payload: unknown): RedoxMetaRecord {
  const meta = isObject(payload) ? payload.Meta : undefined;
  if (!isObject(meta) || !nonEmptyString(meta.DataModel) || !nonEmptyString(meta.EventType)) {
    throw RedoxMessages.invalidMetadata();
  }
  const stored: RedoxMetaRecord = {
    DataModel: meta.DataModel,
    EventType: meta.EventType,
    EventDateTime: typeof meta.EventDateTime === 'string' ? meta.EventDateTime : null,
    Test: typeof meta.Test === 'boolean' ? meta.Test : null,
    FacilityCode: typeof meta.FacilityCode === 'string' ? meta.FacilityCode : null,
  };
  const pick = (value: unknown, keys: string[]): Record<string, unknown> | undefined =>
    isObject(value) ? Object.fromEntries(keys.map((key) => [key, value[key] ?? null])) : undefined;
  const list = (value: unknown, keys: string[]): Array<Record<string, unknown>> | undefined =>
    Array.isArray(value)
      ? value.map((item) => pick(item, keys) ?? Object.fromEntries(keys.map((k) => [k, null])))
      : undefined;
  const destinations = list(meta.Destinations, ['ID', 'Name']);
  if (destinations) stored.Destinations = destinations as RedoxMetaRecord['Destinations'];
  const logs = list(meta.Logs, ['ID', 'AttemptID']);
  if (logs) stored.Logs = logs as RedoxMetaRecord['Logs'];
  const message = pick(meta.Message, ['ID']);
  if (message) stored.Message = { ID: asFloat(message.ID) };
  const source = pick(meta.Source, ['ID', 'Name']);
  if (source) stored.Source = source as RedoxMetaRecord['Source'];
  const transmission = pick(meta.Transmission, ['ID']);
  if (transmission) stored.Transmission = { ID: asFloat(transmission.ID) };
  return stored;
}

/** Numeric meta ids are stored as doubles, as the established service stores them (whole numbers included). */
function asFloat(value: unknown): unknown {
  return typeof value === 'number' ? new Double(value) : value;
}

/** `Meta.Source.ID` of a stored order; 400 `source id is required` when missing or empty. */
export function sourceIdOf(meta: RedoxMetaRecord): string {
  const id = meta.Source?.ID;
  if (!nonEmptyString(id)) throw RedoxMessages.sourceIdRequired();
  return id;
}

/**
 * The order's patient-matching values (§1.4 step 8): the MRN is the first identifier whose `IDType`
 * equals `mrnIdType` case-insensitively. No MRN: undefined (no patient search, no error). With an
 * MRN, a missing birth date is 400 `date of birth is missing` and a missing first and last name 400
 * `full name is missing`. The full name is first and last name (the middle name is ignored).
 */
export function patientMatchValues(order: RedoxMessagePayload, mrnIdType: string): PatientMatchValues | undefined {
  const patient = isObject(order.Patient) ? order.Patient : undefined;
  const identifiers = Array.isArray(patient?.Identifiers) ? patient.Identifiers : [];
  const wanted = mrnIdType.toLowerCase();
  const identifier = identifiers.find(
    (candidate) =>
      isObject(candidate) && typeof candidate.IDType === 'string' && candidate.IDType.toLowerCase() === wanted,
  );
  const mrn = identifier && nonEmptyString(identifier.ID) ? identifier.ID : undefined;
  if (!mrn) return undefined;
  const demographics = isObject(patient?.Demographics) ? patient.Demographics : undefined;
  const birthDate = demographics?.DOB;
  if (!nonEmptyString(birthDate)) throw RedoxMessages.dateOfBirthMissing();
  const fullName = [demographics?.FirstName, demographics?.LastName].filter(nonEmptyString).join(' ');
  if (!fullName) throw RedoxMessages.fullNameMissing();
  return { mrn, birthDate, fullName };
}

/** One criterion's patient query (§1.4 step 9). */
export function matchFilterFor(criterion: PatientMatchCriterion, values: PatientMatchValues): EhrMatchFilter {
  switch (criterion) {
    case 'MRN':
      return { mrn: values.mrn };
    case 'MRN_DOB':
      return { mrn: values.mrn, birthDate: values.birthDate };
    case 'DOB_FULLNAME':
      return { birthDate: values.birthDate, fullName: values.fullName };
  }
}
