import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TIDEPOOL_USER_ID_PATTERN } from '../../../../common/validation/patterns';
import {
  CONNECTION_PROVIDERS,
  PATIENT_PERMISSIONS,
  type DataSourceRecord,
  type GlycemicRangesRecord,
  type PatientPermissionsRecord,
  type PatientRecord,
  type SummaryStatsRecord,
} from '../patient.schema';
import {
  DataSourceDto,
  DIAGNOSIS_TYPES,
  GLUCOSE_UNITS,
  GLYCEMIC_RANGES_PRESETS,
  GlycemicRangesDto,
  PatientPermissionsDto,
  PatientReviewDto,
  PatientSiteDto,
  ProviderConnectionRequestsDto,
} from './patient-parts.dto';

/** `patientSummary.v1` as returned: the stored statistics, dates as RFC 3339 strings. */
export class PatientSummaryResponse {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '`cgmStats.v1`' })
  cgmStats?: Record<string, unknown>;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '`bgmStats.v1`' })
  bgmStats?: Record<string, unknown>;
}

/** A site on a patient: `{id, name}` (a patient's sites never carry counts). */
export interface PatientSiteResponse {
  id: string;
  name: string;
}

/** `patient.v1` as returned by every operation that answers a patient (behavior-patients.md §2). */
export class PatientResponse {
  /** The patient's user id. */
  @ApiProperty({ pattern: TIDEPOOL_USER_ID_PATTERN.source, readOnly: true })
  id: string;

  @ApiPropertyOptional({ format: 'email' })
  email?: string;

  /** `""` when the record has no name. */
  @ApiProperty({ minLength: 1 })
  fullName: string;

  /** `YYYY-MM-DD`; left out when the record has none (decisions.md §2). */
  @ApiProperty({ format: 'date', example: '2012-08-30' })
  birthDate?: string;

  @ApiPropertyOptional({ minLength: 1 })
  mrn?: string;

  /** Tag ids, or null when the patient has none. */
  @ApiProperty({ type: [String], nullable: true, uniqueItems: true })
  tags: string[] | null;

  @ApiPropertyOptional({ type: [String] })
  targetDevices?: string[];

  @ApiPropertyOptional({ type: PatientPermissionsDto })
  permissions?: PatientPermissionsDto;

  @ApiProperty({ format: 'date-time', readOnly: true })
  createdTime: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  updatedTime: string;

  /** In the contract; never returned. */
  @ApiPropertyOptional()
  attestationSubmitted?: boolean;

  /** Null when unset. */
  @ApiProperty({ type: [DataSourceDto], nullable: true })
  dataSources: DataSourceDto[] | null;

  @ApiPropertyOptional({ format: 'date-time', readOnly: true })
  lastUploadReminderTime?: string;

  @ApiPropertyOptional({ type: PatientSummaryResponse, readOnly: true })
  summary?: PatientSummaryResponse;

  /** Newest first; `[]` when none. */
  @ApiProperty({ type: [PatientReviewDto] })
  reviews: PatientReviewDto[];

  @ApiProperty({ type: ProviderConnectionRequestsDto, readOnly: true })
  connectionRequests: ProviderConnectionRequestsDto;

  /** `[]` when none. */
  @ApiProperty({ type: [PatientSiteDto] })
  sites: PatientSiteResponse[];

  @ApiPropertyOptional({ type: GlycemicRangesDto })
  glycemicRanges?: GlycemicRangesDto;

  @ApiPropertyOptional({ enum: [...DIAGNOSIS_TYPES, ''], enumName: 'DiagnosisType' })
  diagnosisType?: string;
}

const BIRTH_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** How a stored patient becomes `patient.v1` (behavior-patients.md §2, decisions.md §2). */
export function toPatientResponse(record: PatientRecord): PatientResponse {
  const response: PatientResponse = {
    id: record.userId,
    fullName: record.fullName ?? '',
    tags: record.tags?.length ? record.tags.map((tag) => String(tag)) : null,
    createdTime: toTime(record.createdTime),
    updatedTime: toTime(record.updatedTime),
    dataSources: record.dataSources ? record.dataSources.map(toDataSource) : null,
    reviews: (record.reviews ?? []).map((review) => ({ clinicianId: review.clinicianId, time: toTime(review.time) })),
    connectionRequests: toConnectionRequests(record),
    sites: (record.sites ?? []).map((site) => ({ id: String(site.id), name: site.name })),
  };
  if (record.birthDate && BIRTH_DATE.test(record.birthDate)) response.birthDate = record.birthDate;
  // The schema types it as an e-mail address, which `""` (an account without one) is not.
  if (record.email) response.email = record.email;
  if (record.mrn !== null && record.mrn !== undefined) response.mrn = record.mrn;
  if (record.targetDevices) response.targetDevices = [...record.targetDevices];
  if (record.permissions) response.permissions = toPermissions(record.permissions);
  if (record.lastUploadReminderTime) response.lastUploadReminderTime = toTime(record.lastUploadReminderTime);
  const summary = toSummary(record);
  if (summary) response.summary = summary;
  const glycemicRanges = toGlycemicRanges(record.glycemicRanges);
  if (glycemicRanges) response.glycemicRanges = glycemicRanges;
  if (record.diagnosisType && (DIAGNOSIS_TYPES as readonly string[]).includes(record.diagnosisType)) {
    response.diagnosisType = record.diagnosisType;
  }
  return response;
}

/** Only the granted keys, each `{}`. */
export function toPermissions(permissions: PatientPermissionsRecord): PatientPermissionsDto {
  const granted: PatientPermissionsDto = {};
  for (const key of PATIENT_PERMISSIONS) {
    if (permissions[key] !== undefined && permissions[key] !== null) granted[key] = {};
  }
  return granted;
}

/** What the established service renders for a time it never stored (Go's zero time). */
const ZERO_TIME = '0001-01-01T00:00:00.000Z';

function toTime(value: Date | string | undefined): string {
  return value === undefined || value === null ? ZERO_TIME : new Date(value).toISOString();
}

export function toDataSource(source: DataSourceRecord): DataSourceDto {
  return {
    providerName: source.providerName,
    state: source.state,
    ...(source.dataSourceId ? { dataSourceId: String(source.dataSourceId) } : {}),
    ...(source.modifiedTime ? { modifiedTime: toTime(source.modifiedTime) } : {}),
    ...(source.expirationTime ? { expirationTime: toTime(source.expirationTime) } : {}),
    ...(source.latestDataTime ? { latestDataTime: toTime(source.latestDataTime) } : {}),
  };
}

function toConnectionRequests(record: PatientRecord): ProviderConnectionRequestsDto {
  const requests = { abbott: [], dexcom: [], twiist: [] } as ProviderConnectionRequestsDto;
  for (const provider of CONNECTION_PROVIDERS) {
    requests[provider] = (record.providerConnectionRequests?.[provider] ?? []).map((request) => ({
      providerName: request.providerName,
      createdTime: toTime(request.createdTime),
    }));
  }
  if (requests.dexcom.length === 0 && record.lastRequestedDexcomConnectTime) {
    requests.dexcom = [{ providerName: 'dexcom', createdTime: toTime(record.lastRequestedDexcomConnectTime) }];
  }
  return requests;
}

function toSummary(record: PatientRecord): PatientSummaryResponse | undefined {
  if (!record.summary) return undefined;
  const summary: PatientSummaryResponse = {};
  if (record.summary.cgmStats) summary.cgmStats = toStats(record.summary.cgmStats);
  if (record.summary.bgmStats) summary.bgmStats = toStats(record.summary.bgmStats);
  return Object.keys(summary).length > 0 ? summary : undefined;
}

/** 1:1 with storage; stored dates become RFC 3339 strings. */
function toStats(stats: SummaryStatsRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stats)) {
    if (key === 'dates' && value && typeof value === 'object') {
      out.dates = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([field, date]) => [
          field,
          date instanceof Date ? date.toISOString() : date,
        ]),
      );
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Left out unless its type, preset and units are ones the contract knows. */
function toGlycemicRanges(ranges: GlycemicRangesRecord | undefined): GlycemicRangesDto | undefined {
  if (!ranges) return undefined;
  if (ranges.type === 'preset') {
    if (!ranges.preset || !(GLYCEMIC_RANGES_PRESETS as readonly string[]).includes(ranges.preset)) return undefined;
    return { type: 'preset', preset: ranges.preset };
  }
  if (ranges.type === 'custom' && ranges.custom) {
    const thresholds = ranges.custom.thresholds ?? [];
    if (thresholds.some((threshold) => !(GLUCOSE_UNITS as readonly string[]).includes(threshold.upperBound?.units))) {
      return undefined;
    }
    return {
      type: 'custom',
      custom: {
        name: ranges.custom.name,
        thresholds: thresholds.map((threshold) => ({
          name: threshold.name,
          upperBound: { value: threshold.upperBound.value, units: threshold.upperBound.units },
          ...(threshold.inclusive ? { inclusive: true } : {}),
        })),
      },
    };
  }
  return undefined;
}
