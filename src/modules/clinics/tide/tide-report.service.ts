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

const DEFAULT_CATEGORIES: TideCategory[] = [
  'timeInVeryLowPercent',
  'timeInAnyLowPercent',
  'timeInVeryHighPercent',
  'timeInAnyHighPercent',
  'dropInTimeInTargetPercent',
  'timeCGMUsePercent',
  'meetingTargets',
];

/** A NOT that also matches a missing metric. */
function notAbove(field: string, bound: number, inclusive = false): Record<string, unknown> {
  return { $or: [{ [field]: inclusive ? { $lt: bound } : { $lte: bound } }, { [field]: null }] };
}

/** Each category's conditions on the period's metrics and its order (behavior-patients.md §18.2). */
const CATEGORIES: Record<TideCategory, { conditions: Array<[string, unknown]>; sort: [string, 1 | -1] }> = {
  timeInVeryLowPercent: { conditions: [['timeInVeryLowPercent', { $gt: 0.01 }]], sort: ['timeInVeryLowPercent', -1] },
  timeInAnyLowPercent: { conditions: [['timeInAnyLowPercent', { $gt: 0.04 }]], sort: ['timeInAnyLowPercent', -1] },
  dropInTimeInTargetPercent: {
    conditions: [['timeInTargetPercentDelta', { $lt: -0.15 }]],
    sort: ['timeInTargetPercentDelta', 1],
  },
  timeCGMUsePercent: { conditions: [['timeCGMUsePercent', { $lt: 0.7 }]], sort: ['timeCGMUsePercent', 1] },
  timeInTargetPercent: { conditions: [['timeInTargetPercent', { $lt: 0.7 }]], sort: ['timeInTargetPercent', 1] },
  meetingTargets: {
    conditions: [
      ['timeInTargetPercent', { $gte: 0.7 }],
      ['timeCGMUsePercent', { $gte: 0.7 }],
    ],
    sort: ['timeInTargetPercent', -1],
  },
  timeInExtremeHighPercent: {
    conditions: [['timeInExtremeHighPercent', { $gte: 0.01 }]],
    sort: ['timeInExtremeHighPercent', -1],
  },
  timeInVeryHighPercent: {
    conditions: [['timeInVeryHighPercent', { $gt: 0.05 }]],
    sort: ['timeInVeryHighPercent', -1],
  },
  timeInAnyHighPercent: { conditions: [['timeInAnyHighPercent', { $gt: 0.25 }]], sort: ['timeInAnyHighPercent', -1] },
};

/** meetingTargets also excludes patients in any of these ranges (a missing metric does not exclude). */
const MEETING_TARGETS_EXCLUSIONS: Array<[string, number, boolean]> = [
  ['timeInAnyLowPercent', 0.04, false],
  ['timeInVeryLowPercent', 0.01, false],
  ['timeInAnyHighPercent', 0.25, false],
  ['timeInVeryHighPercent', 0.05, false],
  ['timeInExtremeHighPercent', 0.01, true],
];

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
    const periodPath = `summary.cgmStats.periods.${query.period}`;

    const results: Record<string, TideResultPatient[]> = {};
    const placed: Types.ObjectId[] = [];
    for (const category of categories) {
      const remaining = PATIENT_BUDGET - placed.length;
      if (remaining <= 0) break;
      const definition = CATEGORIES[category];
      const conditions: Array<Record<string, unknown>> = definition.conditions.map(([field, condition]) => ({
        [`${periodPath}.${field}`]: condition,
      }));
      if (category === 'meetingTargets') {
        for (const [field, bound, inclusive] of MEETING_TARGETS_EXCLUSIONS) {
          conditions.push(notAbove(`${periodPath}.${field}`, bound, inclusive));
        }
      }
      const records = await this.reports.findCategory({
        clinicId,
        tagIds,
        cutoff,
        conditions,
        sort: { [`${periodPath}.${definition.sort[0]}`]: definition.sort[1] },
        exclude: [...placed],
        limit: remaining,
        period: query.period,
      });
      results[category] = records.map((record) => toResult(record, query.period));
      placed.push(...records.map((record) => record._id));
    }
    if (!query.excludeNoData) {
      const records = await this.reports.findNoData(clinicId, tagIds, cutoff, now, NO_DATA_LIMIT, query.period);
      results.noData = records.map((record) => toResult(record, query.period));
    }
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
