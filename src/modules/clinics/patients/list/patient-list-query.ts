import { Types } from 'mongoose';
import { ApiError, ErrorDetail } from '../../../../common/errors/api-error';
import { OBJECT_ID_PATTERN } from '../../../../common/validation/patterns';
import { escapeRegex } from '../../clinicians/clinicians.repository';
import { parseQueryTime } from '../../query-values';
import {
  DATE_SORTS,
  DEFAULT_PERIOD,
  FLOAT_FILTER_PATTERN,
  INT_FILTER_PATTERN,
  LAST_DATA_PARAMS,
  METRIC_SORTS,
  Period,
  RANGE_FILTERS,
  SUMMARY_TYPES,
  SummaryType,
} from './patient-list-fields';

/**
 * ListPatients' query values as received (strings, after the DTO's shape checks). The range filters are
 * keyed by their parameter names (`cgm.timeInTargetPercent`, …).
 */
export interface PatientListParams {
  search?: string;
  sort?: string;
  sortType?: string;
  period?: string;
  /** RFC 3339. */
  lastReviewed?: string;
  /** Comma-separated ids as received; present but without a valid id → patients without tags. */
  tags?: string;
  /** Like `tags`, for sites. */
  sites?: string;
  omitNonStandardRanges?: boolean;
  [parameter: `${SummaryType}.${string}`]: string | undefined;
}

export type MongoFilter = Record<string, unknown>;
export type MongoSort = Record<string, 1 | -1>;

export interface PatientListQuery {
  /** The patients to list (and count for `meta.count`). */
  filter: MongoFilter;
  /** Their order; always ends with the `_id` tie-breaker. */
  sort: MongoSort;
  /** All patients of the clinic, unfiltered (`meta.totalCount`). */
  countFilter: MongoFilter;
}

export const PatientListErrors = {
  missingSortType: (): ApiError => ApiError.badRequest('invalid sort parameter, missing type'),
  invalidSortType: (): ApiError => ApiError.badRequest('invalid sort parameter, invalid type'),
  missingSortOrder: (): ApiError => ApiError.badRequest('invalid sort parameter, missing sort order'),
  missingSortAttribute: (): ApiError => ApiError.badRequest('invalid sort parameter, missing sort attribute'),
  invalidSortAttribute: (): ApiError => ApiError.badRequest('invalid sort parameter, invalid sort attribute'),
  unparsableRangeFilter: (details: ErrorDetail[]): ApiError =>
    ApiError.badRequest("couldn't parse range filter", details),
};

const RANGE_OPERATORS: Record<string, string> = { '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' };
const NAME_ORDER: MongoSort = { fullNameKey: 1, _id: 1 };

/**
 * ListPatients as one MongoDB query (behavior-patients.md §4, decisions.md §2), in the portable subset:
 * `$regex`, `$all`, `$in`, `$size`, `$exists`, `$or`/`$and` and comparisons, sorted on stored fields
 * only (no collation, no computed keys). Pure: the index test builds its query shapes with it.
 *
 * Throws 400 for a bad `sort`/`sortType` (§4.3 messages) and for a range filter whose value is not an
 * operator and a number (`bad request: couldn't parse range filter`, details naming each parameter).
 */
export function patientListQuery(clinicId: string, params: PatientListParams): PatientListQuery {
  const period = (params.period as Period | undefined) ?? DEFAULT_PERIOD;
  const clinic = { clinicId: new Types.ObjectId(clinicId) };
  const fields: MongoFilter = { ...clinic };
  const alternatives: MongoFilter[][] = [];

  if (params.search) {
    const pattern = { $regex: escapeRegex(params.search), $options: 'i' };
    alternatives.push(['fullName', 'email', 'mrn', 'birthDate'].map((field) => ({ [field]: pattern })));
  }
  if (params.tags !== undefined) {
    const tagIds = objectIds(params.tags);
    if (tagIds.length > 0) fields.tags = { $all: tagIds };
    else alternatives.push(emptyOrMissing('tags'));
  }
  if (params.sites !== undefined) {
    const siteIds = objectIds(params.sites);
    // `sites.id` reaches into the array's elements; FerretDB 1.24 answers `$elemMatch` on it with nothing.
    if (siteIds.length > 0) fields['sites.id'] = { $in: siteIds };
    else alternatives.push(emptyOrMissing('sites'));
  }
  if (params.lastReviewed) {
    fields['reviews.0.time'] = { $lte: new Date(params.lastReviewed) };
  }
  if (params.omitNonStandardRanges === true) {
    alternatives.push([{ 'glycemicRanges.preset': 'adaStandard' }, { glycemicRanges: { $exists: false } }]);
  }
  for (const { type, from, to } of LAST_DATA_PARAMS) {
    const range: Record<string, Date> = {};
    const start = parseQueryTime(params[from]);
    const end = parseQueryTime(params[to]);
    if (start) range.$gte = start;
    if (end) range.$lt = end;
    if (start || end) fields[`summary.${type}Stats.dates.lastData`] = range;
  }
  Object.assign(fields, rangeFilters(params, period));

  if (alternatives.length === 1) fields.$or = alternatives[0];
  else if (alternatives.length > 1) fields.$and = alternatives.map(($or) => ({ $or }));

  return { filter: fields, sort: patientListSort(params, period), countFilter: clinic };
}

/** The order of §4.3: default by name; otherwise `[has<Attr> desc,] <attr> <dir>, _id asc`. */
export function patientListSort(params: Pick<PatientListParams, 'sort' | 'sortType'>, period: Period): MongoSort {
  const type = params.sortType || undefined;
  if (type !== undefined && !isSummaryType(type)) throw PatientListErrors.invalidSortType();
  if (params.sort === undefined) return { ...NAME_ORDER };
  if (type === undefined) throw PatientListErrors.missingSortType();

  const order = params.sort.charAt(0);
  if (order !== '+' && order !== '-') throw PatientListErrors.missingSortOrder();
  const attribute = params.sort.slice(1);
  if (attribute === '') throw PatientListErrors.missingSortAttribute();
  const direction = order === '+' ? 1 : -1;

  const stats = `summary.${type}Stats`;
  const sort: MongoSort = {};
  if (attribute === 'fullName') {
    // Case-insensitive, on the stored lower-cased name (no collation on FerretDB).
    sort.fullNameKey = direction;
  } else if (attribute === 'birthDate') {
    sort.birthDate = direction;
  } else if (attribute === 'lastReviewed') {
    sort['reviews.0.time'] = direction;
  } else if ((DATE_SORTS as readonly string[]).includes(attribute)) {
    sort[`${stats}.dates.${flagOf(attribute)}`] = -1;
    sort[`${stats}.dates.${attribute}`] = direction;
  } else {
    const metric = METRIC_SORTS[type].get(attribute);
    if (!metric) throw PatientListErrors.invalidSortAttribute();
    const periodPath = `${stats}.periods.${period}`;
    // "Empties last": `has<Metric>` true, then false, then missing (no summary), whatever the direction.
    if (metric.flagged) sort[`${periodPath}.${flagOf(attribute)}`] = -1;
    sort[`${periodPath}.${attribute}`] = direction;
  }
  sort._id = 1;
  return sort;
}

/** Each given range filter as `{summary.<type>Stats.periods.<period>.<metric>: {$op: value}}`. */
function rangeFilters(params: PatientListParams, period: Period): MongoFilter {
  const filter: MongoFilter = {};
  const unparsable: ErrorDetail[] = [];
  for (const { param, type, metric, kind } of RANGE_FILTERS) {
    const value = params[param as `${SummaryType}.${string}`];
    if (value === undefined || value === '') continue;
    const match = (kind === 'int' ? INT_FILTER_PATTERN : FLOAT_FILTER_PATTERN).exec(value);
    if (!match) {
      unparsable.push({
        field: param,
        message: `${param} must be an operator (<, <=, >, >=) followed by ${kind === 'int' ? 'an integer' : 'a number'}`,
      });
      continue;
    }
    const operator = match[1];
    filter[`summary.${type}Stats.periods.${period}.${metric}`] = {
      [RANGE_OPERATORS[operator]]: Number(value.slice(operator.length)),
    };
  }
  if (unparsable.length > 0) throw PatientListErrors.unparsableRangeFilter(unparsable);
  return filter;
}

/** The distinct valid ids of a comma-separated list; invalid ones are dropped (§4.1). */
function objectIds(list: string): Types.ObjectId[] {
  const ids = new Set(list.split(',').map((id) => id.trim()));
  return [...ids].filter((id) => OBJECT_ID_PATTERN.test(id)).map((id) => new Types.ObjectId(id));
}

/** An empty array or no field at all; a stored `null` matches neither. */
function emptyOrMissing(field: string): MongoFilter[] {
  return [{ [field]: { $size: 0 } }, { [field]: { $exists: false } }];
}

function flagOf(attribute: string): string {
  return `has${attribute.charAt(0).toUpperCase()}${attribute.slice(1)}`;
}

function isSummaryType(value: string): value is SummaryType {
  return (SUMMARY_TYPES as readonly string[]).includes(value);
}
