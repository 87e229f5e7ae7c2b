import { resolve } from 'node:path';
import { Types } from 'mongoose';
import { loadContract } from '../../contract/openapi-compare';

/**
 * ListPatients test data: patients in the stored shape of behavior-patients.md §1.1/§1.3, written straight
 * into the `patients` collection, and a reference implementation of the list's rules in plain JS (filters,
 * the MongoDB type order, "empties last"), written from the notes and the contract — never from the
 * service's query builder — to compute the ids each request must answer.
 */

export const CONTRACT = loadContract(
  resolve(process.env.CONTRACT_SPEC ?? resolve(__dirname, '../../../../shared/spec/clinic.v1.yaml')),
) as any;
const SCHEMAS = CONTRACT.components.schemas;

export const PERIODS = ['1d', '7d', '14d', '30d'] as const;
export type Period = (typeof PERIODS)[number];
export type SummaryType = 'cgm' | 'bgm';

/** Field names of one period of CGM/BGM stats (cgmPeriod.v1 / bgmPeriod.v1). */
export const PERIOD_FIELDS: Record<SummaryType, string[]> = {
  cgm: Object.keys(SCHEMAS['cgmPeriod.v1'].properties),
  bgm: Object.keys(SCHEMAS['bgmPeriod.v1'].properties),
};
const DATE_FIELDS = Object.keys(SCHEMAS['summaryDates.v1'].properties);

/** The contract's ListPatients query parameters. */
export const LIST_PARAMETERS: Array<{ name: string; schema: { pattern?: string; type?: string } }> = (() => {
  const operation = CONTRACT.paths['/v1/clinics/{clinicId}/patients'].get;
  const resolve = (node: any): any => {
    while (node?.$ref)
      node = node.$ref
        .slice(2)
        .split('/')
        .reduce((at: any, key: string) => at[key], CONTRACT);
    return node;
  };
  return operation.parameters.map((parameter: any) => {
    const resolved = resolve(parameter);
    return { ...resolved, schema: resolve(resolved.schema) };
  });
})();

export const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same data set. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = ['alice', 'Bob', 'carol', 'Dave', 'ERIN', 'frank', 'Grace', 'heidi', 'Ivan', 'judy', 'Mallory'];
const LAST_NAMES = ['Smith', 'jones', 'Brown', 'taylor', 'Wilson', 'Zed', 'adams'];

export interface Fixture {
  clinicId: string;
  otherClinicId: string;
  tagIds: Types.ObjectId[];
  siteIds: Types.ObjectId[];
  /** The list clinic's patients, as stored. */
  patients: any[];
  /** Patients of another clinic (never listed). */
  others: any[];
}

export interface PatientFactory {
  tagIds: Types.ObjectId[];
  siteIds: Types.ObjectId[];
  /** The stored document of the index-th patient, in the given clinic, with the given `_id`. */
  patient(index: number, clinicId: Types.ObjectId, id?: Types.ObjectId): any;
}

/** Patients in the stored shape, deterministic for a seed (also used by scripts/bench-list-patients.ts). */
export function patientFactory(seed = 20240611): PatientFactory {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const round = (value: number, digits: number) => Number(value.toFixed(digits));
  const tagIds = [0, 1, 2, 3].map(() => new Types.ObjectId());
  const siteIds = [0, 1, 2].map(() => new Types.ObjectId());
  const siteNames = ['North', 'South', 'East'];
  const base = Date.UTC(2024, 0, 1);
  const day = 86_400_000;

  function metricValue(metric: string): number {
    if (metric === 'min') return pick([2.2, 2.8, 3.1, 3.9]);
    if (metric === 'max') return pick([11.1, 13.4, 18.9, 22.2]);
    if (/Percent$/.test(metric)) return round(random(), 4);
    if (/Minutes$/.test(metric)) return Math.floor(random() * 20160);
    if (/Records$/.test(metric)) return Math.floor(random() * 4032);
    if (metric === 'averageDailyRecords') return round(random() * 288, 2);
    if (metric === 'hoursWithData') return Math.floor(random() * 336);
    if (metric === 'daysWithData') return Math.floor(random() * 15);
    if (metric === 'averageGlucoseMmol') return round(3 + random() * 13, 2);
    if (metric === 'glucoseManagementIndicator') return round(5 + random() * 6, 2);
    if (metric === 'standardDeviation') return round(0.5 + random() * 4.5, 3);
    if (metric === 'coefficientOfVariation') return round(0.1 + random() * 0.5, 4);
    throw new Error(`no generator for ${metric}`);
  }

  function deltaValue(metric: string, value: number): number {
    if (metric === 'min' || metric === 'max') return pick([-0.5, 0, 0.5]);
    const delta = value * (random() - 0.5);
    return Number.isInteger(value) ? Math.round(delta) : round(delta, 4);
  }

  /** One period of stats: flagged metrics (has…) are sometimes absent; the others always stored. */
  function period(type: SummaryType): Record<string, unknown> {
    const fields = PERIOD_FIELDS[type];
    const stored: Record<string, unknown> = {};
    for (const field of fields) {
      if (field.startsWith('has') || field.endsWith('Delta')) continue;
      const flag = `has${capitalize(field)}`;
      const present = !fields.includes(flag) || random() < 0.85;
      if (fields.includes(flag)) stored[flag] = present;
      if (!present) continue;
      const value = metricValue(field);
      stored[field] = value;
      if (fields.includes(`${field}Delta`) && random() < 0.85) stored[`${field}Delta`] = deltaValue(field, value);
    }
    return stored;
  }

  function stats(type: SummaryType, index: number): Record<string, unknown> {
    const dates: Record<string, unknown> = { hasFirstData: false, hasLastData: false, hasLastUploadDate: false };
    if (random() < 0.9) {
      const last = new Date(base + Math.floor(random() * 300) * day + Math.floor(random() * day));
      Object.assign(dates, {
        hasLastData: true,
        lastData: last,
        hasFirstData: true,
        firstData: new Date(last.getTime() - Math.floor(random() * 200) * day),
        hasLastUploadDate: true,
        lastUploadDate: new Date(last.getTime() + Math.floor(random() * 3) * day),
        lastUpdatedDate: new Date(last.getTime() + day),
        lastUpdatedReason: ['UPLOAD_COMPLETED'],
      });
    }
    dates.hasOutdatedSince = random() < 0.3;
    if (dates.hasOutdatedSince) dates.outdatedSince = new Date(base + Math.floor(random() * 330) * day);
    const unknown = Object.keys(dates).filter((field) => !DATE_FIELDS.includes(field));
    if (unknown.length > 0) throw new Error(`not summaryDates.v1 fields: ${unknown.join(', ')}`);
    const periods: Record<string, unknown> = {};
    for (const name of PERIODS) {
      if (name === '1d' && index % 9 === 4) continue;
      periods[name] = period(type);
    }
    return {
      id: new Types.ObjectId().toHexString(),
      config: {
        schemaVersion: 5,
        highGlucoseThreshold: 10,
        veryHighGlucoseThreshold: 13.9,
        lowGlucoseThreshold: 3.9,
        veryLowGlucoseThreshold: 3,
      },
      dates,
      periods,
    };
  }

  function patient(index: number, clinic: Types.ObjectId, id = new Types.ObjectId()): any {
    const now = new Date(base + index * 3600_000);
    let fullName: string | null = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
    if (index === 3) fullName = null;
    if (index === 7) fullName = 'Ann.Marie (Jr.) O+Brien';
    if (index === 8) fullName = 'AnnXMarie Jr O Brien';
    const email = index % 11 === 2 ? null : index === 5 ? 'a+b.c@example.com' : `patient${index}@example.com`;
    const mrn = index % 7 === 1 ? null : index % 2 === 0 ? `MRN${1000 + index}` : `mrn-${2000 + index}x`;
    const birthDate =
      index === 10
        ? ''
        : index === 12
          ? null
          : `${1950 + Math.floor(random() * 60)}-0${1 + (index % 9)}-1${index % 10}`;
    const doc: any = {
      _id: id,
      clinicId: clinic,
      userId: (0xa000000000 + index).toString(16),
      birthDate,
      email,
      fullName,
      ...(fullName ? { fullNameKey: fullName.toLowerCase() } : {}),
      mrn,
      targetDevices: index % 5 === 0 ? ['dexcom-g6'] : null,
      requireUniqueMrn: false,
      permissions: index % 6 === 0 ? { custodian: {}, view: {}, upload: {} } : { view: {} },
      createdTime: now,
      updatedTime: now,
    };
    const tagChoice = index % 8;
    if (tagChoice === 0) doc.tags = [];
    else if (tagChoice === 1) doc.tags = null;
    else if (tagChoice !== 2) doc.tags = tagIds.filter(() => random() < 0.5);
    const siteChoice = index % 6;
    if (siteChoice === 0) doc.sites = [];
    else if (siteChoice !== 1) {
      doc.sites = siteIds.filter(() => random() < 0.45).map((id) => ({ id, name: siteNames[siteIds.indexOf(id)] }));
    }
    const reviewChoice = index % 5;
    if (reviewChoice === 0) doc.reviews = [];
    else if (reviewChoice !== 1) {
      const newest = new Date(base + Math.floor(random() * 320) * day);
      doc.reviews = [{ clinicianId: 'c0ffee0001', time: newest }];
      if (reviewChoice === 3) doc.reviews.push({ clinicianId: 'c0ffee0002', time: new Date(newest.getTime() - day) });
    }
    const rangeChoice = index % 4;
    if (rangeChoice === 1) doc.glycemicRanges = { type: 'preset', preset: 'adaStandard' };
    if (rangeChoice === 2) doc.glycemicRanges = { type: 'preset', preset: 'adaHighRisk' };
    if (rangeChoice === 3 && index % 3 === 0) {
      doc.glycemicRanges = {
        type: 'custom',
        custom: {
          name: 'Mine',
          thresholds: [
            { name: 'low', upperBound: { value: 70, units: 'mg/dL' }, inclusive: false },
            { name: 'target', upperBound: { value: 180, units: 'mg/dL' }, inclusive: true },
          ],
        },
      };
    }
    if (index % 10 !== 6) {
      doc.summary = {};
      if (index % 7 !== 3) doc.summary.cgmStats = stats('cgm', index);
      if (index % 3 !== 1) doc.summary.bgmStats = stats('bgm', index);
    }
    if (index % 4 === 0) doc.providerConnectionRequests = { dexcom: [{ providerName: 'dexcom', createdTime: now }] };
    if (index % 9 === 0) doc.lastUploadReminderTime = now;
    if (index % 3 === 0) doc.diagnosisType = pick(['type1', 'type2', '']);
    return doc;
  }

  return { tagIds, siteIds, patient };
}

export function buildFixture(count = 64): Fixture {
  const factory = patientFactory();
  const random = randomSource(7);
  const clinicId = new Types.ObjectId();
  const otherClinicId = new Types.ObjectId();
  // Ids in an order unrelated to names and insertion, so the `_id` tie-breaker is visible.
  const ids = Array.from({ length: count + 5 }, () => new Types.ObjectId());
  for (let index = ids.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [ids[index], ids[other]] = [ids[other], ids[index]];
  }
  const patients = Array.from({ length: count }, (_unused, index) => factory.patient(index, clinicId, ids[index]));
  const others = Array.from({ length: 5 }, (_unused, index) =>
    factory.patient(count + index, otherClinicId, ids[count + index]),
  );
  return {
    clinicId: clinicId.toHexString(),
    otherClinicId: otherClinicId.toHexString(),
    tagIds: factory.tagIds,
    siteIds: factory.siteIds,
    patients,
    others,
  };
}

// ---------------------------------------------------------------------------------------------------
// Reference rules (plain JS).

/** A field by dotted path; numeric components index arrays. Missing → undefined. */
export function valueAt(doc: any, path: string): unknown {
  let current = doc;
  for (const part of path.split('.')) {
    if (current === null || current === undefined) return undefined;
    current = Array.isArray(current) && /^\d+$/.test(part) ? current[Number(part)] : current[part];
  }
  return current;
}

/** BSON sort order of the types the data holds: missing/null < numbers < strings < booleans < dates. */
function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return 1;
  if (typeof value === 'string') return 2;
  if (typeof value === 'boolean') return 3;
  if (value instanceof Date) return 4;
  throw new Error(`unexpected sort value ${JSON.stringify(value)}`);
}

export function compareValues(a: unknown, b: unknown): number {
  const rank = typeRank(a) - typeRank(b);
  if (rank !== 0) return rank;
  if (a === undefined || a === null) return 0;
  if (a instanceof Date) return a.getTime() - (b as Date).getTime();
  if (typeof a === 'boolean') return Number(a) - Number(b);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  return (a as number) - (b as number);
}

/** Sorts by `[key extractor, direction]` pairs, then `_id` ascending. */
export function sortDocs(docs: any[], keys: Array<[(doc: any) => unknown, 1 | -1]>): any[] {
  return [...docs].sort((a, b) => {
    for (const [key, direction] of keys) {
      const order = compareValues(key(a), key(b));
      if (order !== 0) return order * direction;
    }
    return a._id.toHexString() < b._id.toHexString() ? -1 : 1;
  });
}

/** The default order: name case-insensitively (no name first), then `_id`. */
export function byName(docs: any[]): any[] {
  return sortDocs(docs, [[(doc) => (doc.fullName ? String(doc.fullName).toLowerCase() : null), 1]]);
}

export const userIds = (docs: any[]): string[] => docs.map((doc) => doc.userId);
