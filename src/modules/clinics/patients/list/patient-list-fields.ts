/**
 * What ListPatients can filter and sort on (behavior-patients.md §4.1–§4.3, decisions.md §2), as data:
 * the DTO declares a query parameter for each range filter below and the query builder maps each to its
 * stored field. The contract check compares the parameter names and patterns with clinic.v1.yaml.
 */

export const SUMMARY_TYPES = ['cgm', 'bgm'] as const;
export type SummaryType = (typeof SUMMARY_TYPES)[number];

/** Summary periods; `period` selects which one the range filters and metric sorts read. */
export const PERIODS = ['1d', '7d', '14d', '30d'] as const;
export type Period = (typeof PERIODS)[number];
export const DEFAULT_PERIOD: Period = '14d';

/** The contract's FloatFilter and IntFilter value patterns: an operator, then a decimal or an integer. */
export const FLOAT_FILTER_PATTERN = /^(>=|>|<=|<)[+-]?((\d+(\.\d*)?)|(\.\d+))$/;
export const INT_FILTER_PATTERN = /^(>=|>|<=|<)[+-]?\d+$/;
export type RangeFilterKind = 'float' | 'int';

export interface RangeFilterParam {
  /** Query parameter name, e.g. `cgm.timeInTargetPercent`. */
  param: string;
  type: SummaryType;
  /** Stored metric of `summary.<type>Stats.periods.<period>`, named as the parameter (no exceptions). */
  metric: string;
  kind: RangeFilterKind;
}

const RANGES = ['VeryLow', 'AnyLow', 'Low', 'Target', 'High', 'VeryHigh', 'ExtremeHigh', 'AnyHigh'];
/** The contract has no `…ExtremeHighRecords` filter parameters. */
const RANGES_WITH_RECORD_FILTERS = RANGES.filter((range) => range !== 'ExtremeHigh');

const CGM_FLOAT_METRICS = [
  'max',
  'min',
  'averageGlucoseMmol',
  'glucoseManagementIndicator',
  'timeCGMUsePercent',
  ...RANGES.map((range) => `timeIn${range}Percent`),
  'averageDailyRecords',
  'standardDeviation',
  'coefficientOfVariation',
];
const CGM_INT_METRICS = [
  'timeCGMUseMinutes',
  ...RANGES.map((range) => `timeIn${range}Minutes`),
  'timeCGMUseRecords',
  ...RANGES_WITH_RECORD_FILTERS.map((range) => `timeIn${range}Records`),
  'totalRecords',
  'hoursWithData',
  'daysWithData',
];
const BGM_FLOAT_METRICS = ['max', 'min', 'averageGlucoseMmol', ...RANGES.map((range) => `timeIn${range}Percent`)];
const BGM_INT_METRICS = [...RANGES_WITH_RECORD_FILTERS.map((range) => `timeIn${range}Records`), 'totalRecords'];

function params(type: SummaryType, kind: RangeFilterKind, metrics: string[]): RangeFilterParam[] {
  return metrics.map((metric) => ({ param: `${type}.${metric}`, type, metric, kind }));
}

const delta = (metrics: string[]): string[] => metrics.map((metric) => `${metric}Delta`);

/** Every `cgm.*`/`bgm.*` numeric range filter of the contract (112). */
export const RANGE_FILTERS: readonly RangeFilterParam[] = [
  ...params('cgm', 'float', CGM_FLOAT_METRICS),
  ...params('cgm', 'int', CGM_INT_METRICS),
  ...params('cgm', 'float', delta(CGM_FLOAT_METRICS)),
  ...params('cgm', 'int', delta(CGM_INT_METRICS)),
  // BGM's averageDailyRecords is a FloatFilter but its Delta an IntFilter, as the contract declares them.
  ...params('bgm', 'float', [...BGM_FLOAT_METRICS, 'averageDailyRecords']),
  ...params('bgm', 'int', BGM_INT_METRICS),
  ...params('bgm', 'float', delta(BGM_FLOAT_METRICS)),
  ...params('bgm', 'int', [...delta(BGM_INT_METRICS), 'averageDailyRecordsDelta']),
];

/** `cgm.lastDataFrom`/`To`, `bgm.lastDataFrom`/`To`: on `summary.<type>Stats.dates.lastData`. */
export const LAST_DATA_PARAMS = [
  { type: 'cgm', from: 'cgm.lastDataFrom', to: 'cgm.lastDataTo' },
  { type: 'bgm', from: 'bgm.lastDataFrom', to: 'bgm.lastDataTo' },
] as const satisfies ReadonlyArray<{ type: SummaryType; from: string; to: string }>;

/** Sort attributes read from the patient record itself. */
export const PATIENT_SORTS = ['fullName', 'birthDate', 'lastReviewed'] as const;
/** Sort attributes of `summary.<type>Stats.dates`; each has a stored `has<Attr>` flag. */
export const DATE_SORTS = ['lastUploadDate', 'lastData', 'firstData', 'outdatedSince'] as const;

/**
 * Period metrics that have a stored `has<Metric>` flag beside them (cgmPeriod.v1/bgmPeriod.v1): sorts on
 * them put patients without a value last. min/max, standardDeviation, coefficientOfVariation,
 * hoursWithData, daysWithData and every `…Delta` have no flag.
 */
const FLAGGED_CGM_METRICS = [
  'averageGlucoseMmol',
  'glucoseManagementIndicator',
  'timeCGMUsePercent',
  ...RANGES.flatMap((range) => ['Percent', 'Records', 'Minutes'].map((unit) => `timeIn${range}${unit}`)),
  'totalRecords',
  'averageDailyRecords',
];
const UNFLAGGED_CGM_METRICS = ['hoursWithData', 'daysWithData', 'standardDeviation', 'coefficientOfVariation'];
const FLAGGED_BGM_METRICS = [
  'averageGlucoseMmol',
  ...RANGES.flatMap((range) => ['Percent', 'Records'].map((unit) => `timeIn${range}${unit}`)),
  'totalRecords',
  'averageDailyRecords',
];
const UNFLAGGED_BGM_METRICS = ['standardDeviation', 'coefficientOfVariation'];

export interface MetricSort {
  /** Whether `has<Metric>` is stored beside it (the "empties last" pre-sort). */
  flagged: boolean;
}

function metricSorts(flagged: string[], unflagged: string[]): ReadonlyMap<string, MetricSort> {
  const sorts = new Map<string, MetricSort>([
    ['min', { flagged: false }],
    ['max', { flagged: false }],
    ['minDelta', { flagged: false }],
    ['maxDelta', { flagged: false }],
  ]);
  for (const metric of flagged) sorts.set(metric, { flagged: true }).set(`${metric}Delta`, { flagged: false });
  for (const metric of unflagged) sorts.set(metric, { flagged: false }).set(`${metric}Delta`, { flagged: false });
  return sorts;
}

/**
 * Period metrics each sort type accepts (§4.3): BGM has no Minutes metrics, no timeCGMUse*, no
 * glucoseManagementIndicator, no hoursWithData and no daysWithData; `timeCGMUseRecords`/`Minutes` are
 * not sort keys for CGM either.
 */
export const METRIC_SORTS: Readonly<Record<SummaryType, ReadonlyMap<string, MetricSort>>> = {
  cgm: metricSorts(FLAGGED_CGM_METRICS, UNFLAGGED_CGM_METRICS),
  bgm: metricSorts(FLAGGED_BGM_METRICS, UNFLAGGED_BGM_METRICS),
};
