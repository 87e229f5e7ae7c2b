import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy, ValidationArguments } from 'class-validator';
import { RFC3339_DATE_TIME_PATTERN } from '../../../../common/validation/patterns';
import type { SummaryStatsRecord } from '../patient.schema';

/** `cgmPeriod.v1` required fields. */
const CGM_PERIOD_REQUIRED = [
  'hasAverageGlucoseMmol', 'hasGlucoseManagementIndicator', 'hasTimeInTargetPercent', 'hasTimeInTargetMinutes',
  'hasTimeInTargetRecords', 'hasTimeInHighPercent', 'hasTimeInHighMinutes', 'hasTimeInHighRecords',
  'hasTimeInVeryHighPercent', 'hasTimeInVeryHighMinutes', 'hasTimeInVeryHighRecords', 'hasTimeInExtremeHighPercent',
  'hasTimeInExtremeHighMinutes', 'hasTimeInExtremeHighRecords', 'hasTimeInLowPercent', 'hasTimeInLowMinutes',
  'hasTimeInLowRecords', 'hasTimeInVeryLowPercent', 'hasTimeInVeryLowMinutes', 'hasTimeInVeryLowRecords',
  'hasTimeInAnyLowPercent', 'hasTimeInAnyLowMinutes', 'hasTimeInAnyLowRecords', 'hasTimeInAnyHighPercent',
  'hasTimeInAnyHighMinutes', 'hasTimeInAnyHighRecords', 'hasTimeCGMUsePercent', 'hasTimeCGMUseMinutes',
  'hasTimeCGMUseRecords', 'hasTotalRecords', 'hasAverageDailyRecords', 'standardDeviation', 'standardDeviationDelta',
  'coefficientOfVariation', 'coefficientOfVariationDelta', 'hoursWithData', 'hoursWithDataDelta', 'daysWithData',
  'daysWithDataDelta', 'min', 'minDelta', 'max', 'maxDelta',
]; // prettier-ignore

/** `bgmPeriod.v1` required fields. */
const BGM_PERIOD_REQUIRED = [
  'min', 'minDelta', 'max', 'maxDelta', 'hasAverageGlucoseMmol', 'hasTimeInTargetPercent', 'hasTimeInTargetRecords',
  'hasTimeInHighPercent', 'hasTimeInHighRecords', 'hasTimeInVeryHighPercent', 'hasTimeInVeryHighRecords',
  'hasTimeInExtremeHighPercent', 'hasTimeInExtremeHighRecords', 'hasTimeInAnyHighPercent', 'hasTimeInAnyHighRecords',
  'hasTimeInLowPercent', 'hasTimeInLowRecords', 'hasTimeInVeryLowPercent', 'hasTimeInVeryLowRecords',
  'hasTimeInAnyLowPercent', 'hasTimeInAnyLowRecords', 'hasTotalRecords', 'hasAverageDailyRecords', 'daysWithData',
  'daysWithDataDelta',
]; // prettier-ignore

/** `summaryConfig.v1`: all required numbers. */
const CONFIG_REQUIRED = [
  'schemaVersion',
  'highGlucoseThreshold',
  'veryHighGlucoseThreshold',
  'lowGlucoseThreshold',
  'veryLowGlucoseThreshold',
];
/** `summaryDates.v1`. */
const DATES_REQUIRED = ['hasFirstData', 'hasLastData', 'hasLastUploadDate', 'hasOutdatedSince'];
/** The date-time fields of `summaryDates.v1`; stored as BSON dates. */
export const SUMMARY_DATE_FIELDS = [
  'lastUpdatedDate',
  'firstData',
  'lastData',
  'lastUploadDate',
  'outdatedSince',
  'outdatedSinceLimit',
] as const;
const DATES_LISTS = ['lastUpdatedReason', 'outdatedReason'];
const SUMMARY_ID = /^[a-f0-9]{0,24}$/;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The first way `stats` departs from `cgmStats.v1`/`bgmStats.v1`, as `<path> <problem>`; undefined
 * when it conforms. Period entries: `has…` fields are booleans, every other metric a number.
 */
export function summaryStatsProblem(stats: unknown, kind: 'cgm' | 'bgm', path: string): string | undefined {
  if (!isObject(stats)) return `${path} must be an object`;
  if (stats.id !== undefined && (typeof stats.id !== 'string' || !SUMMARY_ID.test(stats.id))) {
    return `${path}.id must match ${SUMMARY_ID.source}`;
  }
  if (stats.config !== undefined) {
    if (!isObject(stats.config)) return `${path}.config must be an object`;
    for (const field of CONFIG_REQUIRED) {
      if (typeof stats.config[field] !== 'number') return `${path}.config.${field} must be a number`;
    }
  }
  if (stats.dates !== undefined) {
    const dates = stats.dates;
    if (!isObject(dates)) return `${path}.dates must be an object`;
    for (const field of DATES_REQUIRED) {
      if (typeof dates[field] !== 'boolean') return `${path}.dates.${field} must be a boolean`;
    }
    for (const field of SUMMARY_DATE_FIELDS) {
      const value = dates[field];
      if (value !== undefined && (typeof value !== 'string' || !RFC3339_DATE_TIME_PATTERN.test(value))) {
        return `${path}.dates.${field} must be an RFC 3339 date-time with a time zone`;
      }
    }
    for (const field of DATES_LISTS) {
      const value = dates[field];
      if (value !== undefined && (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))) {
        return `${path}.dates.${field} must be an array of strings`;
      }
    }
  }
  if (stats.periods !== undefined) {
    if (!isObject(stats.periods)) return `${path}.periods must be an object`;
    const required = kind === 'cgm' ? CGM_PERIOD_REQUIRED : BGM_PERIOD_REQUIRED;
    for (const [name, period] of Object.entries(stats.periods)) {
      const where = `${path}.periods.${name}`;
      if (!isObject(period)) return `${where} must be an object`;
      for (const field of required) {
        if (period[field] === undefined) return `${where}.${field} is required`;
      }
      for (const [field, value] of Object.entries(period)) {
        if (field.startsWith('has') && typeof value !== 'boolean') return `${where}.${field} must be a boolean`;
        if (!field.startsWith('has') && (typeof value !== 'number' || !Number.isFinite(value))) {
          return `${where}.${field} must be a number`;
        }
      }
    }
  }
  return undefined;
}

/** Validates a `cgmStats.v1`/`bgmStats.v1` value without stripping anything (it is stored as received). */
function IsSummaryStats(kind: 'cgm' | 'bgm'): PropertyDecorator {
  const problems = new WeakMap<object, string>();
  return ValidateBy({
    name: 'isSummaryStats',
    validator: {
      validate: (value: unknown, args?: ValidationArguments): boolean => {
        const problem = summaryStatsProblem(value, kind, args?.property ?? `${kind}Stats`);
        if (problem && args) problems.set(args.object, problem);
        return problem === undefined;
      },
      defaultMessage: (args?: ValidationArguments): string =>
        (args && problems.get(args.object)) ?? `${kind}Stats must be a ${kind}Stats.v1 object`,
    },
  });
}

/** `patientSummary.v1` as sent to UpdatePatientSummary. */
export class PatientSummaryBody {
  @IsOptional()
  @IsSummaryStats('cgm')
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '`cgmStats.v1`' })
  cgmStats?: Json;

  @IsOptional()
  @IsSummaryStats('bgm')
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: '`bgmStats.v1`' })
  bgmStats?: Json;
}

/** The stored form of validated statistics: the dates of `dates` become BSON dates. */
export function toStoredStats(stats: Json): SummaryStatsRecord {
  const stored: Json = { ...stats };
  if (isObject(stats.dates)) {
    const dates: Json = { ...stats.dates };
    for (const field of SUMMARY_DATE_FIELDS) {
      if (typeof dates[field] === 'string') dates[field] = new Date(dates[field]);
    }
    stored.dates = dates;
  }
  return stored;
}
