import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { ApiError } from '../../../common/errors/api-error';
import { parseQueryTime } from '../query-values';
import { toDataSource } from '../patients/dto/patient-response.dto';
import {
  TIDE_RESULT_METRICS,
  type TideCategory,
  type TideReportQuery,
  type TideResponse,
  type TideResultPatient,
} from './dto/tide-report.dto';
import { lastDataOf, TidePatientRecord, TideReportRepository } from './tide-report.repository';

/** Patients placed in categories, over all categories. */
const PATIENT_BUDGET = 100;
/** Patients listed under `noData` (apart from the budget). */
const NO_DATA_LIMIT = 50;
/** Data older than this counts as not recent for `noData`. */
const NO_RECENT_DATA_MS = 8 * 60 * 60 * 1000;

const DEFAULT_CATEGORIES: TideCategory[] = [
  'timeInVeryLowPercent',
  'timeInAnyLowPercent',
  'timeInVeryHighPercent',
  'timeInAnyHighPercent',
  'dropInTimeInTargetPercent',
  'timeCGMUsePercent',
  'meetingTargets',
];

type Metrics = Record<string, unknown>;

function value(metrics: Metrics, field: string): number | undefined {
  const found = metrics[field];
  return typeof found === 'number' ? found : undefined;
}

const above = (field: string, bound: number) => (m: Metrics) => (value(m, field) ?? -Infinity) > bound;
const atLeast = (field: string, bound: number) => (m: Metrics) => (value(m, field) ?? -Infinity) >= bound;
const below = (field: string, bound: number) => (m: Metrics) => (value(m, field) ?? Infinity) < bound;

/** Each category's test on the period's metrics and the metric it is ordered by (behavior-patients.md §18.2). */
const CATEGORIES: Record<TideCategory, { matches: (metrics: Metrics) => boolean; sort: [string, 1 | -1] }> = {
  timeInVeryLowPercent: { matches: above('timeInVeryLowPercent', 0.01), sort: ['timeInVeryLowPercent', -1] },
  timeInAnyLowPercent: { matches: above('timeInAnyLowPercent', 0.04), sort: ['timeInAnyLowPercent', -1] },
  dropInTimeInTargetPercent: {
    matches: below('timeInTargetPercentDelta', -0.15),
    sort: ['timeInTargetPercentDelta', 1],
  },
  timeCGMUsePercent: { matches: below('timeCGMUsePercent', 0.7), sort: ['timeCGMUsePercent', 1] },
  timeInTargetPercent: { matches: below('timeInTargetPercent', 0.7), sort: ['timeInTargetPercent', 1] },
  // In range and worn, and in none of the low or high categories (a missing metric excludes nothing).
  meetingTargets: {
    matches: (m) =>
      atLeast('timeInTargetPercent', 0.7)(m) &&
      atLeast('timeCGMUsePercent', 0.7)(m) &&
      !above('timeInAnyLowPercent', 0.04)(m) &&
      !above('timeInVeryLowPercent', 0.01)(m) &&
      !above('timeInAnyHighPercent', 0.25)(m) &&
      !above('timeInVeryHighPercent', 0.05)(m) &&
      !atLeast('timeInExtremeHighPercent', 0.01)(m),
    sort: ['timeInTargetPercent', -1],
  },
  timeInExtremeHighPercent: {
    matches: atLeast('timeInExtremeHighPercent', 0.01),
    sort: ['timeInExtremeHighPercent', -1],
  },
  timeInVeryHighPercent: { matches: above('timeInVeryHighPercent', 0.05), sort: ['timeInVeryHighPercent', -1] },
  timeInAnyHighPercent: { matches: above('timeInAnyHighPercent', 0.25), sort: ['timeInAnyHighPercent', -1] },
};

interface Ranked {
  key: number;
  id: string;
  record: TidePatientRecord;
}

/** The best `limit` entries seen so far, by key (ascending or descending), then id. */
class TopList {
  readonly entries: Ranked[] = [];

  constructor(
    private readonly limit: number,
    private readonly direction: 1 | -1,
  ) {}

  offer(entry: Ranked): void {
    const before = (a: Ranked, b: Ranked) => (a.key !== b.key ? (a.key - b.key) * this.direction < 0 : a.id < b.id);
    if (this.entries.length >= this.limit && !before(entry, this.entries[this.entries.length - 1])) return;
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (before(this.entries[middle], entry)) low = middle + 1;
      else high = middle;
    }
    this.entries.splice(low, 0, entry);
    if (this.entries.length > this.limit) this.entries.pop();
  }
}

/** The constant part of the report's `config` (behavior-patients.md §18.3). */
const TIDE_CONFIG = {
  schemaVersion: 2,
  highGlucoseThreshold: 10.0,
  lowGlucoseThreshold: 3.9,
  veryHighGlucoseThreshold: 13.9,
  veryLowGlucoseThreshold: 3.0,
  extremeHighGlucoseThreshold: 19.4,
  filters: {
    timeInVeryLowPercent: '>0.01',
    timeInAnyLowPercent: '>0.04',
    dropInTimeInTargetPercent: '<-0.15',
    timeInTargetPercent: '<0.7',
    timeCGMUsePercent: '<0.7',
  },
};

/**
 * The TIDE report (behavior-patients.md §18): the clinic's patients holding all the given tags, in
 * categories taken in order, each patient placed once, 100 patients over all categories (categories
 * after the budget runs out are left out); and, unless excluded, up to 50 patients without recent data.
 */
@Injectable()
export class TideReportService {
  constructor(private readonly reports: TideReportRepository) {}

  async tideReport(clinicId: string, query: TideReportQuery, now = new Date()): Promise<TideResponse> {
    const cutoff = parseQueryTime(query.lastDataCutoff);
    if (!cutoff) throw ApiError.badRequest('no lastDataCutoff provided');
    const tags = query.tags.split(',');
    const tagIds = [...new Set(tags)].map((id) => new Types.ObjectId(id));
    const requested = query.categories ? (query.categories.split(',') as TideCategory[]) : [];
    const categories = requested.length > 0 ? [...new Set(requested)] : DEFAULT_CATEGORIES;

    // A patient goes to the first requested category it matches: a category only sees the patients no
    // earlier one placed, and an earlier match left unplaced means the budget ran out before.
    const lists = categories.map((category) => new TopList(PATIENT_BUDGET, CATEGORIES[category].sort[1]));
    const noData = new TopList(NO_DATA_LIMIT, 1);
    const staleBefore = now.getTime() - NO_RECENT_DATA_MS;
    for await (const record of this.reports.streamTagged(clinicId, tagIds, query.period)) {
      const id = String(record._id);
      const lastData = lastDataOf(record);
      if (lastData && lastData.getTime() >= cutoff.getTime()) {
        const metrics = record.summary?.cgmStats?.periods?.[query.period] ?? {};
        const index = categories.findIndex((category) => CATEGORIES[category].matches(metrics));
        if (index >= 0) {
          const key = value(metrics, CATEGORIES[categories[index]].sort[0]) ?? 0;
          lists[index].offer({ key, id, record });
        }
      }
      if (!query.excludeNoData && isWithoutRecentData(record, lastData, cutoff, staleBefore)) {
        noData.offer({ key: lastData ? lastData.getTime() : -Infinity, id, record });
      }
    }

    const results: Record<string, TideResultPatient[]> = {};
    let remaining = PATIENT_BUDGET;
    for (const [index, category] of categories.entries()) {
      if (remaining <= 0) break;
      const placed = lists[index].entries.slice(0, remaining);
      results[category] = placed.map((entry) => toResult(entry.record, query.period));
      remaining -= placed.length;
    }
    if (!query.excludeNoData) results.noData = noData.entries.map((entry) => toResult(entry.record, query.period));
    return {
      config: {
        ...TIDE_CONFIG,
        filters: { ...TIDE_CONFIG.filters },
        clinicId,
        period: query.period,
        lastDataCutoff: query.lastDataCutoff,
        tags,
      },
      results,
    };
  }
}

/**
 * `noData`: no CGM data at all, or none for 8 hours and (none since the cutoff, or a Dexcom data
 * source that is not connected).
 */
function isWithoutRecentData(
  record: TidePatientRecord,
  lastData: Date | undefined,
  cutoff: Date,
  staleBefore: number,
): boolean {
  if (!lastData) return true;
  if (lastData.getTime() >= staleBefore) return false;
  return (
    lastData.getTime() < cutoff.getTime() ||
    (record.dataSources ?? []).some((source) => source.providerName === 'dexcom' && source.state !== 'connected')
  );
}

function toResult(record: TidePatientRecord, period: string): TideResultPatient {
  const metrics = record.summary?.cgmStats?.periods?.[period] ?? {};
  const result: TideResultPatient = {
    patient: {
      id: record.userId,
      ...(record.email ? { email: record.email } : {}),
      ...(record.fullName ? { fullName: record.fullName } : {}),
      tags: (record.tags ?? []).map(String),
      reviews: (record.reviews ?? []).map((review) => ({
        clinicianId: review.clinicianId,
        time: new Date(review.time).toISOString(),
      })),
      dataSources: record.dataSources ? record.dataSources.map(toDataSource) : null,
    },
  };
  const lastData = lastDataOf(record);
  if (lastData) result.lastData = lastData.toISOString();
  for (const metric of TIDE_RESULT_METRICS) {
    const value = metrics[metric];
    if (typeof value === 'number') result[metric] = value;
  }
  return result;
}
