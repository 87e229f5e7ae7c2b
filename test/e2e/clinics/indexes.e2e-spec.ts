import {
  allCliniciansQuery,
  clinicianListQuery,
  clinicianRecordsOfUserQuery,
} from '../../../src/modules/clinics/clinicians/clinicians.repository';
import { clinicListQuery, QueryShape } from '../../../src/modules/clinics/clinics/clinics.repository';
import { memberKey } from '../../../src/modules/clinics/clinicians/clinician.schema';
import {
  activeSubscriptionsQuery,
  clinicPatientsQuery,
  ehrMatchQuery,
  findPatientsQuery,
  patientRecordsOfUserQuery,
  planPatientsQuery,
  sameMrnQuery,
} from '../../../src/modules/clinics/patients/patients.repository';
import { Types } from 'mongoose';
import {
  mergeCliniciansPageQuery,
  mergePatientsPageQuery,
} from '../../../src/modules/clinics/merges/merges.repository';
import { PatientListParams, patientListQuery } from '../../../src/modules/clinics/patients/list/patient-list-query';
import { addInvite, createClinic, newObjectId } from '../../support/builders';
import { useTestApp } from '../../support/test-app';

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
 *   (`SCAN <table>`) and whether the filter, sort and limit were pushed down to SQLite. Only an `_id`
 *   equality is (`filterPushdown: true`); any other filter, any sort and a limit after either are
 *   applied in FerretDB's own process. There the test asserts exactly that for every list query (and,
 *   as a control, that an `_id` lookup does get pushed down), and relies on the coverage check, which
 *   holds for both databases and is what MongoDB deployments use.
 */
describe('indexes serve every list query', () => {
  const t = useTestApp();
  let isFerretDb: boolean;

  beforeAll(async () => {
    const { clinicId } = await createClinic(t);
    await addInvite(t, clinicId, ['CLINIC_MEMBER']);
    const info = await t.connection.db!.admin().command({ buildInfo: 1 });
    isFerretDb = typeof info.ferretdbVersion === 'string';
  });

  const clinicId = newObjectId();
  const start = new Date('2024-01-01T00:00:00Z');
  const end = new Date('2025-01-01T00:00:00Z');

  interface Case {
    name: string;
    collection: 'clinics' | 'clinicians' | 'patients';
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
    {
      name: 'patient lookup (GetPatient, UpdatePatient, DeletePatient, permissions, reviews)',
      collection: 'patients',
      shape: { filter: { clinicId: new Types.ObjectId(clinicId), userId: '0123456789' }, sort: {} },
      expect: 'filtered',
    },
    {
      name: 'ListClinicsForPatient',
      collection: 'patients',
      shape: patientRecordsOfUserQuery('0123456789'),
      expect: 'sorted',
    },
    {
      name: 'MatchClinicAndPatient MRN / MRN_DOB',
      collection: 'patients',
      shape: ehrMatchQuery(clinicId, { mrn: 'M1', birthDate: '2008-01-06' }),
      expect: 'filtered',
    },
    {
      name: 'MatchClinicAndPatient DOB_FULLNAME',
      collection: 'patients',
      shape: ehrMatchQuery(clinicId, { birthDate: '2008-01-06', fullName: 'Timothy Bixby' }),
      expect: 'filtered',
    },
    {
      name: 'SyncEHRData pages of active subscriptions',
      collection: 'patients',
      shape: activeSubscriptionsQuery(new Types.ObjectId(clinicId), 'summaryAndReports', new Types.ObjectId()),
      expect: 'sorted',
    },
    {
      name: 'FindPatients (one clinic)',
      collection: 'patients',
      shape: findPatientsQuery([new Types.ObjectId(clinicId)], {}),
      expect: 'sorted',
    },
    {
      name: 'FindPatients mrn and birthDate (several clinics)',
      collection: 'patients',
      shape: findPatientsQuery([new Types.ObjectId(clinicId), new Types.ObjectId()], {
        mrn: 'M',
        birthDate: '2000-01-01',
      }),
      expect: 'filtered',
    },
    {
      name: 'DeleteClinic patient listing',
      collection: 'patients',
      shape: clinicPatientsQuery(clinicId),
      expect: 'sorted',
    },
    { name: 'MRN uniqueness check', collection: 'patients', shape: sameMrnQuery(clinicId, 'M-1'), expect: 'filtered' },
    {
      name: 'patient counts: plan',
      collection: 'patients',
      shape: planPatientsQuery(clinicId, '0123456789'),
      expect: 'filtered',
    },
    {
      name: 'UpdatePatientSummary: the user’s clinics',
      collection: 'patients',
      shape: { filter: { userId: '0123456789' }, sort: {} },
      expect: 'filtered',
    },
    {
      name: 'DeletePatientSummary (CGM branch)',
      collection: 'patients',
      shape: { filter: { 'summary.cgmStats.id': 'abc' }, sort: {} },
      expect: 'filtered',
    },
    {
      name: 'DeletePatientSummary (BGM branch)',
      collection: 'patients',
      shape: { filter: { 'summary.bgmStats.id': 'abc' }, sort: {} },
      expect: 'filtered',
    },
    {
      name: 'clinic merge: a page of patients',
      collection: 'patients',
      shape: mergePatientsPageQuery(new Types.ObjectId(clinicId), { fullNameKey: 'ann', _id: new Types.ObjectId() }),
      expect: 'sorted',
    },
    {
      name: 'clinic merge: a page of clinicians',
      collection: 'clinicians',
      shape: mergeCliniciansPageQuery(new Types.ObjectId(clinicId), { createdTime: start, _id: new Types.ObjectId() }),
      expect: 'sorted',
    },
    {
      name: 'MRN uniqueness key (unique index)',
      collection: 'patients',
      shape: { filter: { mrnKey: `${clinicId}:m-1` }, sort: {} },
      expect: 'filtered',
    },
  ];

  it('should tell a query no index serves (the check is not vacuous)', async () => {
    const unserved: Array<[Case['collection'], QueryShape, Array<Case['expect']>]> = [
      ['clinicians', { filter: { name: 'Ann' }, sort: { updatedTime: 1 } }, ['sorted', 'filtered']],
      ['clinicians', { filter: { clinicId: 'x' }, sort: { updatedTime: -1 } }, ['sorted']],
      ['clinics', { filter: { website: 'https://example.com' }, sort: {} }, ['sorted', 'filtered']],
      ['clinics', { filter: {}, sort: { name: 1 } }, ['sorted']],
    ];
    for (const [collection, shape, levels] of unserved) {
      const indexes = await t.connection.collection(collection).indexes();
      for (const level of levels) {
        const serving = indexes.filter((index) => serves(index.key as Record<string, number>, shape, level));
        expect({ shape: describeShape(shape), level, serving }).toEqual({
          shape: describeShape(shape),
          level,
          serving: [],
        });
      }
    }
  });

  it('should see in the explain output whether the database used an index (the explain check is not vacuous)', async () => {
    const clinics = t.connection.collection('clinics');
    const { clinicId } = await createClinic(t);
    const byId = await clinics.find({ _id: new Types.ObjectId(clinicId) }).explain('queryPlanner');
    const byUnindexedField = await clinics.find({ website: 'https://example.com' }).explain('queryPlanner');
    if (isFerretDb && isPostgresPlan(byId)) {
      expect(planNodes(byId)).toContainEqual(expect.stringMatching(LOOKUP_SCAN));
      expect(planNodes(byUnindexedField)).toEqual(['Seq Scan']);
    } else if (isFerretDb) {
      // The SQLite engine pushes only `_id` equality down, and never reads through an index.
      expect(byId).toMatchObject({ ok: 1, filterPushdown: true });
      expect(byUnindexedField).toMatchObject({ ok: 1, filterPushdown: false, sortPushdown: false });
    } else {
      expect(JSON.stringify(byId.queryPlanner.winningPlan)).not.toContain('COLLSCAN');
      expect(JSON.stringify(byUnindexedField.queryPlanner.winningPlan)).toContain('COLLSCAN');
    }
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
    if (isFerretDb && isPostgresPlan(explained)) {
      // The embedded engine reads through an index exactly when the filter has an equality (or `$in`)
      // on the leading field of a declared index; otherwise it reads the table (sorted and limited
      // there too when the filter is applied exactly, see ferretdb-patch.ts).
      const leading = new Set(indexes.map((index) => Object.keys(index.key)[0]));
      const nodes = planNodes(explained);
      if (hasIndexedEquality(shape, leading)) expect(nodes).toContainEqual(expect.stringMatching(LOOKUP_SCAN));
      else {
        expect(nodes).toContainEqual('Seq Scan');
        expect(nodes).not.toContainEqual(expect.stringMatching(LOOKUP_SCAN));
      }
    } else if (isFerretDb) {
      // The SQLite engine applies filter, sort and limit itself, scanning the table.
      expect(explained).toMatchObject({
        ok: 1,
        serverInfo: { ferretdbVersion: expect.any(String) },
        command: { find: collection, limit: 10 },
        sortPushdown: false,
        limitPushdown: false,
      });
      expect(explained.queryPlanner.Plan).toEqual(expect.arrayContaining([expect.stringMatching(/\bSCAN\b/)]));
    } else {
      const plan = JSON.stringify(explained.queryPlanner?.winningPlan ?? explained);
      expect(plan).toContain('IXSCAN');
      expect(plan).not.toContain('COLLSCAN');
      if (level === 'sorted') expect(plan).not.toContain('"stage":"SORT"');
    }
  });
});

/** A read through one of the embedded engine's lookup indexes (docs/decisions/embedded-engine.md). */
const LOOKUP_SCAN = /Index Scan on .*_lookup$/;

interface PlanNode {
  'Node Type'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** FerretDB on PostgreSQL explains with PostgreSQL's plan tree; on SQLite with a list of strings. */
function isPostgresPlan(explained: any): boolean {
  const plan = explained?.queryPlanner?.Plan;
  return typeof plan === 'object' && plan !== null && !Array.isArray(plan);
}

/** The PostgreSQL plan nodes, as "Node Type on Index Name". */
function planNodes(explained: any): string[] {
  const nodes: string[] = [];
  const walk = (node: PlanNode): void => {
    nodes.push(`${node['Node Type']}${node['Index Name'] ? ` on ${node['Index Name']}` : ''}`);
    node.Plans?.forEach(walk);
  };
  walk(explained.queryPlanner.Plan as PlanNode);
  return nodes;
}

/** An equality (scalar, ObjectId) or `$in` on a top-level field that leads an index — what the engine serves from one. */
function hasIndexedEquality(shape: QueryShape, leading: Set<string>): boolean {
  return Object.entries(shape.filter).some(([field, value]) => {
    if (field.startsWith('$') || field.includes('.') || !leading.has(field)) return false;
    if (value instanceof Types.ObjectId || typeof value !== 'object' || value === null) return true;
    const operators = Object.keys(value);
    return operators.length === 1 && (operators[0] === '$eq' || operators[0] === '$in');
  });
}

describe('indexes serve every ListPatients query', () => {
  const t = useTestApp();
  let isFerretDb: boolean;

  beforeAll(async () => {
    const info = await t.connection.db!.admin().command({ buildInfo: 1 });
    isFerretDb = typeof info.ferretdbVersion === 'string';
  });

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
    if (isFerretDb && isPostgresPlan(explained)) {
      // Every list filter starts with the clinic's id: the engine reads the clinic's patients through
      // its lookup index, never the whole collection.
      expect(planNodes(explained)).toContainEqual(expect.stringMatching(LOOKUP_SCAN));
    } else if (isFerretDb) {
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
