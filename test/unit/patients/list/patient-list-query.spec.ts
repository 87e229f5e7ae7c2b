import { ApiError } from '../../../../src/common/errors/api-error';
import { RANGE_FILTERS } from '../../../../src/modules/clinics/patients/list/patient-list-fields';
import { PatientListParams, patientListQuery } from '../../../../src/modules/clinics/patients/list/patient-list-query';

const CLINIC_ID = '0123456789abcdef01234567';

/** Operators both MongoDB 6+ and FerretDB 1.24 run as MongoDB does (checked on the embedded database). */
const PORTABLE_OPERATORS = new Set([
  '$or',
  '$and',
  '$regex',
  '$options',
  '$all',
  '$in',
  '$size',
  '$exists',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
]);

function operatorsOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => operatorsOf(item, found));
  else if (typeof value === 'object' && value !== null && !(value instanceof Date) && !('_bsontype' in value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key.startsWith('$')) found.add(key);
      operatorsOf(item, found);
    }
  }
  return found;
}

function errorOf(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('patientListQuery', () => {
  it('should scope to the clinic and order by the lower-cased name, then _id, by default', () => {
    const { filter, sort, countFilter } = patientListQuery(CLINIC_ID, {});
    expect(Object.keys(filter)).toEqual(['clinicId']);
    expect(String(filter.clinicId)).toBe(CLINIC_ID);
    expect(countFilter).toEqual(filter);
    expect(sort).toEqual({ fullNameKey: 1, _id: 1 });
  });

  it('should use only portable operators, with every parameter at once', () => {
    const params: PatientListParams = {
      search: 'a.b',
      tags: '',
      sites: '',
      lastReviewed: '2024-01-01T00:00:00Z',
      omitNonStandardRanges: true,
      'cgm.lastDataFrom': '2024-01-01T00:00:00Z',
      'bgm.lastDataTo': '2024-02-01T00:00:00Z',
      sort: '-timeInTargetPercent',
      sortType: 'cgm',
      period: '7d',
    };
    for (const { param, kind } of RANGE_FILTERS) {
      params[param as `cgm.${string}`] = kind === 'int' ? '>=-3' : '<.5';
    }
    const { filter, countFilter } = patientListQuery(CLINIC_ID, params);
    expect([...operatorsOf(filter)].filter((operator) => !PORTABLE_OPERATORS.has(operator))).toEqual([]);
    expect(filter.$and).toHaveLength(4);
    expect(Object.keys(countFilter)).toEqual(['clinicId']);
  });

  it('should escape regex metacharacters in the search', () => {
    const { filter } = patientListQuery(CLINIC_ID, { search: 'a+b.(c)' });
    expect(filter.$or).toContainEqual({ fullName: { $regex: 'a\\+b\\.\\(c\\)', $options: 'i' } });
  });

  it('should map each range filter name for name, with any decimal or integer value', () => {
    expect(RANGE_FILTERS).toHaveLength(112);
    for (const { param, type, metric, kind } of RANGE_FILTERS) {
      expect(metric).toBe(param.slice(4));
      const values = kind === 'int' ? ['>=10', '<-3', '>+0'] : ['>=10.25', '<-0.155', '<=.5', '>3.', '>7'];
      for (const value of values) {
        const { filter } = patientListQuery(CLINIC_ID, { [param]: value, period: '30d' });
        const operator = value.match(/^[<>]=?/)![0];
        const expected = { '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' }[operator]!;
        expect(filter[`summary.${type}Stats.periods.30d.${metric}`]).toEqual({
          [expected]: Number(value.slice(operator.length)),
        });
        expect(Object.keys(filter)).toHaveLength(2);
      }
    }
  });

  it('should refuse unparsable range filters, naming each', () => {
    const error = errorOf(() =>
      patientListQuery(CLINIC_ID, { 'cgm.totalRecords': '>1.5', 'bgm.min': '=3', 'cgm.max': '<4' }),
    );
    expect(error.status).toBe(400);
    expect(error.message).toBe("bad request: couldn't parse range filter");
    expect(error.details?.map((detail) => detail.field)).toEqual(['cgm.totalRecords', 'bgm.min']);
  });

  it.each([
    [{ sort: '+fullName' }, 'missing type'],
    [{ sort: '+fullName', sortType: '' }, 'missing type'],
    [{ sort: '+fullName', sortType: 'xgm' }, 'invalid type'],
    [{ sortType: 'xgm' }, 'invalid type'],
    [{ sort: 'fullName', sortType: 'cgm' }, 'missing sort order'],
    [{ sort: '', sortType: 'cgm' }, 'missing sort order'],
    [{ sort: '+', sortType: 'cgm' }, 'missing sort attribute'],
    [{ sort: '-nope', sortType: 'cgm' }, 'invalid sort attribute'],
    [{ sort: '-timeCGMUseMinutes', sortType: 'cgm' }, 'invalid sort attribute'],
    [{ sort: '-glucoseManagementIndicator', sortType: 'bgm' }, 'invalid sort attribute'],
    [{ sort: '-daysWithData', sortType: 'bgm' }, 'invalid sort attribute'],
  ])('should refuse %j: %s', (params, reason) => {
    const error = errorOf(() => patientListQuery(CLINIC_ID, params));
    expect(error.status).toBe(400);
    expect(error.message).toBe(`bad request: invalid sort parameter, ${reason}`);
  });

  it.each([
    ['+fullName', 'cgm', undefined, { fullNameKey: 1, _id: 1 }],
    ['-birthDate', 'bgm', undefined, { birthDate: -1, _id: 1 }],
    ['+lastReviewed', 'cgm', undefined, { 'reviews.0.time': 1, _id: 1 }],
    [
      '+lastData',
      'bgm',
      undefined,
      { 'summary.bgmStats.dates.hasLastData': -1, 'summary.bgmStats.dates.lastData': 1, _id: 1 },
    ],
    [
      '-timeInTargetPercent',
      'cgm',
      '1d',
      {
        'summary.cgmStats.periods.1d.hasTimeInTargetPercent': -1,
        'summary.cgmStats.periods.1d.timeInTargetPercent': -1,
        _id: 1,
      },
    ],
    ['+timeInTargetPercentDelta', 'cgm', '7d', { 'summary.cgmStats.periods.7d.timeInTargetPercentDelta': 1, _id: 1 }],
    ['-min', 'bgm', undefined, { 'summary.bgmStats.periods.14d.min': -1, _id: 1 }],
    ['-standardDeviation', 'cgm', '30d', { 'summary.cgmStats.periods.30d.standardDeviation': -1, _id: 1 }],
  ])('should sort %s (%s, period %s) as %j', (sort, sortType, period, expected) => {
    const { sort: order } = patientListQuery(CLINIC_ID, { sort, sortType, period });
    expect(Object.entries(order)).toEqual(Object.entries(expected));
  });
});
