import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { OBJECT_ID_PATTERN, TIDEPOOL_USER_ID_PATTERN } from '../../../../common/validation/patterns';
import type {
  PatientListRecord,
  StoredConnectionRequest,
  StoredDataSource,
  StoredGlycemicRanges,
  StoredStats,
} from './patient-list-record';

const PERMISSIONS = ['custodian', 'view', 'upload', 'note'] as const;
const CONNECTION_PROVIDERS = ['abbott', 'dexcom', 'twiist'] as const;
const GLYCEMIC_PRESETS = ['adaStandard', 'adaPregnancyType1', 'adaPregnancyType2', 'adaHighRisk'];
const GLUCOSE_UNITS = ['mg/dL', 'mmol/L'];
const DIAGNOSIS_TYPES = [
  'type1',
  'type2',
  'type3c',
  'gestational',
  'prediabetes',
  'lada',
  'mody',
  'other',
  'notApplicable',
];
const BIRTH_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** What the established service renders for a time it never stored (Go's zero time). */
const ZERO_TIME = '0001-01-01T00:00:00Z';

export class PatientReviewResponse {
  clinicianId: string;

  @ApiProperty({ format: 'date-time' })
  time: string;
}

export class ProviderConnectionRequestResponse {
  providerName: string;

  @ApiProperty({ format: 'date-time' })
  createdTime: string;
}

/** `providerConnectionRequests.v1`: newest first; always all three providers. */
export class ProviderConnectionRequestsResponse {
  abbott: ProviderConnectionRequestResponse[];
  dexcom: ProviderConnectionRequestResponse[];
  twiist: ProviderConnectionRequestResponse[];
}

export class PatientSiteResponse {
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source })
  id: string;

  name: string;
}

export class DataSourceResponse {
  providerName: string;
  state: string;

  @ApiPropertyOptional({ pattern: OBJECT_ID_PATTERN.source })
  dataSourceId?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  modifiedTime?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  expirationTime?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  latestDataTime?: string;
}

/**
 * `patient.v1` as ListPatients returns it (behavior-patients.md §2, decisions.md §2). The patients
 * area's shared patient response replaces this class and {@link toListedPatient} when both are merged.
 */
export class ListedPatientResponse {
  @ApiProperty({ pattern: TIDEPOOL_USER_ID_PATTERN.source, readOnly: true })
  id: string;

  /** `""` when the patient has no name. */
  fullName: string;

  /** Left out when none is stored. */
  @ApiPropertyOptional({ format: 'date', example: '2012-08-30' })
  birthDate?: string;

  @ApiPropertyOptional({ format: 'email' })
  email?: string;

  mrn?: string;

  /** Tag ids; `null` when the patient has none. */
  @ApiProperty({ type: [String], nullable: true })
  tags: string[] | null;

  targetDevices?: string[];

  /** Only the granted permissions, each `{}`. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'object' } })
  permissions?: Partial<Record<(typeof PERMISSIONS)[number], Record<string, never>>>;

  @ApiProperty({ format: 'date-time', readOnly: true })
  createdTime: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  updatedTime: string;

  attestationSubmitted?: boolean;

  /** `null` when never set. */
  @ApiProperty({ type: [DataSourceResponse], nullable: true })
  dataSources: DataSourceResponse[] | null;

  @ApiPropertyOptional({ format: 'date-time', readOnly: true })
  lastUploadReminderTime?: string;

  /** `{cgmStats?, bgmStats?}`, each `{id, config, dates, periods}` as stored. */
  @ApiPropertyOptional({ type: 'object', readOnly: true, additionalProperties: true })
  summary?: Record<string, unknown>;

  /** Newest first; `[]` when none. */
  reviews: PatientReviewResponse[];

  @ApiProperty({ type: ProviderConnectionRequestsResponse, readOnly: true })
  connectionRequests: ProviderConnectionRequestsResponse;

  /** `[]` when none. */
  sites: PatientSiteResponse[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  glycemicRanges?: Record<string, unknown>;

  @ApiPropertyOptional({ enum: DIAGNOSIS_TYPES })
  diagnosisType?: string;
}

/** `meta.v1`. */
export class PatientsMetaResponse {
  /** Patients matching the filters. */
  @ApiProperty({ type: 'integer' })
  count: number;

  /** All patients of the clinic. */
  @ApiProperty({ type: 'integer' })
  totalCount: number;
}

/** `patientsResponse.v1`. */
export class PatientsResponse {
  data: ListedPatientResponse[];
  meta: PatientsMetaResponse;
}

/** How a stored patient becomes `patient.v1` (behavior-patients.md §2; empty birth date left out, decisions §2). */
export function toListedPatient(record: PatientListRecord): ListedPatientResponse {
  const tags = record.tags ?? [];
  const response: ListedPatientResponse = {
    id: record.userId,
    fullName: record.fullName ?? '',
    tags: tags.length > 0 ? tags.map((tag) => String(tag)) : null,
    dataSources: record.dataSources ? record.dataSources.map(toDataSource) : null,
    createdTime: iso(record.createdTime ?? ZERO_TIME),
    updatedTime: iso(record.updatedTime ?? ZERO_TIME),
    reviews: (record.reviews ?? []).map((review) => ({ clinicianId: review.clinicianId, time: iso(review.time) })),
    connectionRequests: toConnectionRequests(record),
    sites: (record.sites ?? []).map((site) => ({ id: String(site.id), name: site.name })),
  };
  if (record.birthDate && BIRTH_DATE.test(record.birthDate)) response.birthDate = record.birthDate;
  if (typeof record.email === 'string') response.email = record.email;
  if (typeof record.mrn === 'string') response.mrn = record.mrn;
  if (record.targetDevices) response.targetDevices = [...record.targetDevices];
  if (record.permissions) {
    response.permissions = {};
    for (const permission of PERMISSIONS) {
      if (record.permissions[permission] !== undefined) response.permissions[permission] = {};
    }
  }
  const summary = toSummary(record);
  if (summary) response.summary = summary;
  if (record.lastUploadReminderTime) response.lastUploadReminderTime = iso(record.lastUploadReminderTime);
  const glycemicRanges = toGlycemicRanges(record.glycemicRanges);
  if (glycemicRanges) response.glycemicRanges = glycemicRanges;
  if (record.diagnosisType && DIAGNOSIS_TYPES.includes(record.diagnosisType)) {
    response.diagnosisType = record.diagnosisType;
  }
  return response;
}

function toDataSource(source: StoredDataSource): DataSourceResponse {
  const response: DataSourceResponse = { providerName: source.providerName, state: source.state };
  if (source.dataSourceId) response.dataSourceId = String(source.dataSourceId);
  if (source.modifiedTime) response.modifiedTime = iso(source.modifiedTime);
  if (source.expirationTime) response.expirationTime = iso(source.expirationTime);
  if (source.latestDataTime) response.latestDataTime = iso(source.latestDataTime);
  return response;
}

/** The three providers, newest first; an empty `dexcom` list falls back to the legacy request time. */
function toConnectionRequests(record: PatientListRecord): ProviderConnectionRequestsResponse {
  const stored = record.providerConnectionRequests ?? {};
  const requests = {} as ProviderConnectionRequestsResponse;
  for (const provider of CONNECTION_PROVIDERS) {
    requests[provider] = (stored[provider] ?? []).map((request: StoredConnectionRequest) => ({
      providerName: request.providerName,
      createdTime: iso(request.createdTime),
    }));
  }
  if (requests.dexcom.length === 0 && record.lastRequestedDexcomConnectTime) {
    requests.dexcom = [{ providerName: 'dexcom', createdTime: iso(record.lastRequestedDexcomConnectTime) }];
  }
  return requests;
}

function toSummary(record: PatientListRecord): Record<string, unknown> | undefined {
  const summary: Record<string, unknown> = {};
  if (record.summary?.cgmStats) summary.cgmStats = toStats(record.summary.cgmStats);
  if (record.summary?.bgmStats) summary.bgmStats = toStats(record.summary.bgmStats);
  return Object.keys(summary).length > 0 ? summary : undefined;
}

/** `{id, config, dates, periods}` 1:1, with times as RFC 3339 strings. */
function toStats(stats: StoredStats): Record<string, unknown> {
  const response: Record<string, unknown> = {};
  for (const key of ['id', 'config', 'dates', 'periods'] as const) {
    if (stats[key] !== undefined && stats[key] !== null) response[key] = toJson(stats[key]);
  }
  return response;
}

function toGlycemicRanges(ranges: StoredGlycemicRanges | null | undefined): Record<string, unknown> | undefined {
  if (ranges?.type === 'preset') {
    return ranges.preset && GLYCEMIC_PRESETS.includes(ranges.preset)
      ? { type: 'preset', preset: ranges.preset }
      : undefined;
  }
  if (ranges?.type !== 'custom' || !ranges.custom) return undefined;
  const thresholds = ranges.custom.thresholds ?? [];
  if (thresholds.some((threshold) => !GLUCOSE_UNITS.includes(threshold.upperBound?.units ?? ''))) return undefined;
  return {
    type: 'custom',
    custom: {
      name: ranges.custom.name ?? '',
      thresholds: thresholds.map((threshold) => ({
        name: threshold.name ?? '',
        upperBound: { value: threshold.upperBound?.value ?? 0, units: threshold.upperBound?.units },
        ...(threshold.inclusive ? { inclusive: true } : {}),
      })),
    },
  };
}

function iso(time: Date | string): string {
  return time instanceof Date ? time.toISOString() : time;
}

/** A stored value as JSON: dates as RFC 3339, ObjectIds as hex. */
function toJson(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (isObjectId(value)) return value.toHexString();
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  return value;
}

function isObjectId(value: unknown): value is { toHexString(): string } {
  return (value as { _bsontype?: unknown } | null)?._bsontype === 'ObjectId';
}
