import {
  allCliniciansQuery,
  clinicianListQuery,
  clinicianRecordsOfUserQuery,
} from '../../../src/modules/clinics/clinicians/clinicians.repository';
import { clinicListQuery, QueryShape } from '../../../src/modules/clinics/clinics/clinics.repository';
import { memberKey } from '../../../src/modules/clinics/clinicians/clinician.schema';
import { PatientListParams, patientListQuery } from '../../../src/modules/clinics/patients/list/patient-list-query';
import { addInvite, createClinic, newObjectId } from '../../support/builders';
import { createTestApp, TestApp } from '../../support/test-app';

/**
 * Every list query (and the lookups the lists rely on) is served by a declared index.
 *
 * The query shapes come from the repositories' own filter builders, so this test follows the code.
 * Two kinds of evidence:
 * - Declared indexes (`collection.indexes()`, so what the database really has): each shape must be
 *   covered following the equality–sort–range rule — `sorted`: the equality fields form the index's
 *   prefix and the sort follows it (no in-memory sort); `filtered`: the index leads with a filter field.
 * - `explain`: on MongoDB the winning plan must be an IXSCAN (and have no SORT stage for `sorted`
 *   shapes). FerretDB 1.24 on SQLite cannot show index use: its explain reports the SQLite plan
 *   (`SCAN <table>`) with `filterPushdown: false` for any filter but `_id` — it evaluates filters in
 *   its own process — so there the test asserts the explain answers and relies on the coverage check,
 *   which holds for both databases and is what MongoDB deployments use.
 */
describe('indexes serve every list query', () => {
  let t: TestApp;
  let isFerretDb: boolean;

  beforeAll(async () => {
    t = await createTestApp();
    const { clinicId } = await createClinic(t);
    await addInvite(t, clinicId, ['CLINIC_MEMBER']);
    const info = await t.connection.db!.admin().command({ buildInfo: 1 });
    isFerretDb = typeof info.ferretdbVersion === 'string';
  });
  afterAll(() => t.close());

  const clinicId = newObjectId();
  const start = new Date('2024-01-01T00:00:00Z');
  const end = new Date('2025-01-01T00:00:00Z');

  interface Case {
    name: string;
    collection: 'clinics' | 'clinicians';
    shape: QueryShape;
    expect: 'sorted' | 'filtered';
  }

  const cases: Case[] = [
    { name: 'ListClinics', collection: 'clinics', shape: clinicListQuery({}), expect: 'sorted' },
    {
      name: 'ListClinics shareCode',
      collection: 'clinics',
      shape: clinicListQuery({ shareCode: 'ABCD-EFGH-JKLM' }),
      expect: 'filtered',
    },
    {
      name: 'ListClinics createdTime range',
      collection: 'clinics',
      shape: clinicListQuery({ createdTimeStart: start, createdTimeEnd: end }),
      expect: 'filtered',
    },
    {
      name: 'ListClinics ehrEnabled',
      collection: 'clinics',
      shape: clinicListQuery({ ehrEnabled: true }),
      expect: 'sorted',
    },
    {
      name: 'ListClinics all filters',
      collection: 'clinics',
      shape: clinicListQuery({ shareCode: 'ABCD-EFGH-JKLM', createdTimeStart: start, ehrEnabled: false }),
      expect: 'filtered',
    },
    { name: 'ListClinicians', collection: 'clinicians', shape: clinicianListQuery(clinicId, {}), expect: 'sorted' },
    {
      name: 'ListClinicians role',
      collection: 'clinicians',
      shape: clinicianListQuery(clinicId, { role: 'CLINIC_ADMIN' }),
      expect: 'sorted',
    },
    {
      name: 'ListClinicians search',
      collection: 'clinicians',
      shape: clinicianListQuery(clinicId, { search: 'ann' }),
      expect: 'sorted',
    },
    {
      name: 'ListClinicians email',
      collection: 'clinicians',
      shape: clinicianListQuery(clinicId, { email: 'a@example.com' }),
      expect: 'filtered',
    },
    {
      name: 'ListClinicsForClinician',
      collection: 'clinicians',
      shape: clinicianRecordsOfUserQuery('0123456789'),
      expect: 'sorted',
    },
    { name: 'ListAllClinicians', collection: 'clinicians', shape: allCliniciansQuery({}), expect: 'sorted' },
    {
      name: 'ListAllClinicians createdTime range',
      collection: 'clinicians',
      shape: allCliniciansQuery({ start, end }),
      expect: 'sorted',
    },
    {
      name: 'membership lookup (authorization guard, GetClinician)',
      collection: 'clinicians',
      shape: { filter: { memberKey: memberKey(clinicId, '0123456789') }, sort: {} },
      expect: 'filtered',
    },
    {
      name: 'DeleteClinic batches',
      collection: 'clinicians',
      shape: clinicianListQuery(clinicId, {}),
      expect: 'sorted',
    },
  ];

  it('should tell a query no index serves (the check is not vacuous)', async () => {
    const indexes = await t.connection.collection('clinicians').indexes();
    const unserved: QueryShape = { filter: { name: 'Ann' }, sort: { updatedTime: 1 } };
    const misordered: QueryShape = { filter: { clinicId: 'x' }, sort: { updatedTime: -1 } };
    for (const shape of [unserved, misordered]) {
      expect(indexes.filter((index) => serves(index.key as Record<string, number>, shape, 'sorted'))).toEqual([]);
    }
    expect(indexes.filter((index) => serves(index.key as Record<string, number>, unserved, 'filtered'))).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, { collection, shape, expect: level }) => {
    const indexes = (await t.connection.collection(collection).indexes()).map((index) => ({
      name: index.name!,
      key: index.key as Record<string, number>,
    }));
    const serving = indexes.filter((index) => serves(index.key, shape, level));
    expect({ shape: describeShape(shape), serving: serving.map((index) => index.name) }).toEqual({
      shape: describeShape(shape),
      serving: expect.arrayContaining([expect.any(String)]),
    });

    const explained = await t.connection
      .collection(collection)
      .find(shape.filter)
      .sort(shape.sort)
      .limit(10)
      .explain('queryPlanner');
    if (isFerretDb) {
      expect(explained).toMatchObject({ ok: 1, serverInfo: { ferretdbVersion: expect.any(String) } });
      expect(typeof explained.filterPushdown).toBe('boolean');
    } else {
      const plan = JSON.stringify(explained.queryPlanner?.winningPlan ?? explained);
      expect(plan).toContain('IXSCAN');
      expect(plan).not.toContain('COLLSCAN');
      if (level === 'sorted') expect(plan).not.toContain('"stage":"SORT"');
    }
  });
});

describe('indexes serve every ListPatients query', () => {
  let t: TestApp;
  let isFerretDb: boolean;

  beforeAll(async () => {
    t = await createTestApp();
    const info = await t.connection.db!.admin().command({ buildInfo: 1 });
    isFerretDb = typeof info.ferretdbVersion === 'string';
  });
  afterAll(() => t.close());

  const clinicId = newObjectId();
  const [tagA, tagB, siteA] = [newObjectId(), newObjectId(), newObjectId()];
  const time = '2024-06-01T00:00:00Z';
  const list = (params: PatientListParams) => patientListQuery(clinicId, params);
  const cases: Array<[string, QueryShape, 'sorted' | 'filtered']> = [
    ['default order', list({}), 'sorted'],
    ['counts (meta.count without filters, meta.totalCount)', { filter: list({}).countFilter, sort: {} }, 'sorted'],
    ['+fullName', list({ sort: '+fullName', sortType: 'cgm' }), 'sorted'],
    ['-fullName', list({ sort: '-fullName', sortType: 'bgm' }), 'sorted'],
    ['+birthDate', list({ sort: '+birthDate', sortType: 'cgm' }), 'sorted'],
    ['-birthDate', list({ sort: '-birthDate', sortType: 'cgm' }), 'sorted'],
    ['search', list({ search: 'ann' }), 'sorted'],
    ['tags (all of)', list({ tags: `${tagA},${tagB}` }), 'sorted'],
    ['without tags', list({ tags: '' }), 'sorted'],
    ['sites (any of)', list({ sites: siteA }), 'sorted'],
    ['without sites', list({ sites: '' }), 'sorted'],
    ['lastReviewed', list({ lastReviewed: time }), 'sorted'],
    ['omitNonStandardRanges', list({ omitNonStandardRanges: true }), 'sorted'],
    ['cgm.lastDataFrom/To', list({ 'cgm.lastDataFrom': time, 'cgm.lastDataTo': time }), 'sorted'],
    ['range filters', list({ 'cgm.timeInTargetPercent': '>=0.7', 'bgm.totalRecords': '<10' }), 'sorted'],
    ['everything, sorted by name', list({ search: 'a', tags: tagA, sites: siteA, 'cgm.min': '>3' }), 'sorted'],
    ['-timeInTargetPercent (metric sorts)', list({ sort: '-timeInTargetPercent', sortType: 'cgm' }), 'filtered'],
    [
      '+timeInTargetPercentDelta (delta sorts)',
      list({ sort: '+timeInTargetPercentDelta', sortType: 'cgm' }),
      'filtered',
    ],
    ['-lastData (summary date sorts)', list({ sort: '-lastData', sortType: 'bgm' }), 'filtered'],
    ['+lastReviewed', list({ sort: '+lastReviewed', sortType: 'cgm' }), 'filtered'],
    ['metric sort with filters', list({ sort: '-min', sortType: 'cgm', tags: tagA, 'cgm.max': '<20' }), 'filtered'],
  ];

  it.each(cases)('%s', async (_name, shape, level) => {
    const indexes = (await t.connection.collection('patients').indexes()).map((index) => ({
      name: index.name!,
      key: index.key as Record<string, number>,
    }));
    const serving = indexes.filter((index) => serves(index.key, shape, level));
    expect({ shape: describeShape(shape), serving: serving.map((index) => index.name) }).toEqual({
      shape: describeShape(shape),
      serving: expect.arrayContaining([expect.any(String)]),
    });

    const explained = await t.connection
      .collection('patients')
      .find(shape.filter)
      .sort(shape.sort)
      .limit(10)
      .explain('queryPlanner');
    if (isFerretDb) {
      expect(explained).toMatchObject({ ok: 1, serverInfo: { ferretdbVersion: expect.any(String) } });
    } else {
      const plan = JSON.stringify(explained.queryPlanner?.winningPlan ?? explained);
      expect(plan).toContain('IXSCAN');
      expect(plan).not.toContain('COLLSCAN');
      if (level === 'sorted') expect(plan).not.toContain('"stage":"SORT"');
    }
  });
});

/**
 * Whether an index key pattern serves a query shape (equality–sort–range). Top-level `$or` branches are
 * residual predicates evaluated on the documents the index yields.
 */
function serves(key: Record<string, number>, shape: QueryShape, level: 'sorted' | 'filtered'): boolean {
  const fields = Object.keys(key);
  const equality = new Set<string>();
  const range = new Set<string>();
  for (const [field, value] of Object.entries(shape.filter)) {
    if (field.startsWith('$')) continue;
    const isOperator = typeof value === 'object' && value !== null && Object.keys(value).some((k) => k.startsWith('$'));
    (isOperator ? range : equality).add(field);
  }
  if (level === 'filtered') return equality.has(fields[0]) || range.has(fields[0]);

  let position = 0;
  while (position < fields.length && equality.has(fields[position])) position++;
  if ([...equality].some((field) => !fields.slice(0, position).includes(field))) return false;
  const sort = Object.entries(shape.sort).filter(([field]) => !equality.has(field));
  if (sort.length === 0) return position > 0 || range.has(fields[0]);
  const direction = key[sort[0][0]] === sort[0][1] ? 1 : -1;
  for (const [field, order] of sort) {
    if (fields[position] !== field || key[field] !== order * direction) return false;
    position++;
  }
  return true;
}

function describeShape(shape: QueryShape): string {
  return `find(${JSON.stringify(Object.keys(shape.filter))}).sort(${JSON.stringify(shape.sort)})`;
}
