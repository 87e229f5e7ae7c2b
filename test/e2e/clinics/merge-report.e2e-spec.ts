import ExcelJS from 'exceljs';
import { Types } from 'mongoose';
import { createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from './expectations';
import { buildMergeScenario, MergeScenario } from './merge.fixture';

const SHEETS = [
  'Summary',
  'Patients in Source Clinic',
  'Patients in Target Clinic',
  'Duplicates in Source Clinic',
  'Duplicates in Target Clinic',
  'Duplicates in Merged Workspace',
];

function cellText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return `${value}`;
  return value === null || value === undefined ? '' : JSON.stringify(value);
}

function rowsOf(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    rows.push((row.values as unknown[]).slice(1).map(cellText));
  });
  return rows;
}

describe('GenerateMergeReport — POST /v1/clinics/{clinicId}/reports/merge', () => {
  const t = useTestApp();
  let server: string;
  let scenario: MergeScenario;

  beforeAll(async () => {
    server = await t.tokens.server();
    scenario = await buildMergeScenario(t);
  });

  const report = (token: string | undefined, targetId: string, body: unknown, accept?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/clinics/${targetId}/reports/merge`,
      headers: {
        ...(token !== undefined ? { 'x-tidepool-session-token': token } : {}),
        ...(accept ? { accept } : {}),
      },
      ...(body !== undefined ? { payload: body as object } : {}),
    });

  const call = (token: string | undefined, targetId: string, body: unknown, accept?: string) =>
    t.call('POST', `/v1/clinics/${targetId}/reports/merge`, {
      token,
      body,
      ...(accept ? { headers: { accept } } : {}),
    });

  async function mergePlansCount(): Promise<number> {
    return t.connection.collection('merge_plans').countDocuments({});
  }

  it('should deny everyone but servers, clinic admins included', async () => {
    const body = { sourceId: scenario.source.clinicId };
    const member = await t.users.create();
    await expectDenials((token) => call(token, scenario.target.clinicId, body), {
      targetAdmin: scenario.target.admin.token,
      sourceAdmin: scenario.source.admin.token,
      otherUser: member.token,
    });
  });

  it('should answer the plan as camelCase JSON when Accept is application/json, writing nothing', async () => {
    const before = await t.connection.collection('clinics').find({}).toArray();
    const res = await call(
      server,
      scenario.target.clinicId,
      { sourceId: scenario.source.clinicId },
      'application/json',
    );

    expect(res.status).toBe(200);
    const plan = res.body as any;
    expect(plan).toEqual(
      expect.objectContaining({
        source: { id: scenario.source.clinicId, name: 'Source Clinic', shareCode: scenario.source.clinic.shareCode },
        target: { id: scenario.target.clinicId, name: 'Target Clinic', shareCode: scenario.target.clinic.shareCode },
        canExecute: true,
        errors: [],
      }),
    );
    expect(Object.keys(plan).sort()).toEqual(
      [
        'canExecute',
        'clinicians',
        'duplicates',
        'errors',
        'generatedTime',
        'measures',
        'patients',
        'settings',
        'sites',
        'source',
        'tags',
        'target',
      ].sort(),
    );
    const { users } = scenario;
    const action = (workspace: string, userId: string) =>
      plan.patients.find((p: any) => p.workspace === workspace && p.userId === userId)?.action;
    expect(action('source', users.shared)).toBe('MERGE');
    expect(action('target', users.shared)).toBe('MERGE_INTO');
    expect(action('source', users.moved)).toBe('MOVE');
    expect(action('target', users.likely)).toBe('RETAIN');
    expect(plan.tags.map((tag: any) => [tag.workspace, tag.name, tag.action])).toEqual([
      ['source', 'Shared', 'SKIP'],
      ['source', 'Only Source', 'CREATE'],
      ['target', 'Shared', 'RETAIN'],
      ['target', 'Only Target', 'RETAIN'],
    ]);
    expect(plan.sites.map((site: any) => [site.workspace, site.resultingName, site.action])).toEqual([
      ['source', 'North (2)', 'RENAME'],
      ['source', 'South', 'MOVE'],
      ['target', 'North', 'RETAIN'],
    ]);
    const clinician = (workspace: string, userId: string) =>
      plan.clinicians.find((c: any) => c.workspace === workspace && c.userId === userId);
    expect(clinician('source', users.both)).toEqual(
      expect.objectContaining({ action: 'MERGE', downgraded: true, resultingRoles: ['CLINIC_MEMBER'] }),
    );
    expect(clinician('source', users.sourceAdmin)).toEqual(expect.objectContaining({ action: 'MOVE' }));
    expect(plan.measures).toEqual({
      resultingMembers: 4,
      resultingAdmins: 2,
      downgradedAdmins: 1,
      resultingTags: 3,
      duplicateTags: 1,
      resultingSites: 3,
      renamedSites: 1,
      resultingPatients: 7,
      duplicatePatients: {
        'Duplicate Accounts': 2,
        'Likely Duplicate Accounts': 3,
        'MRN Only Match': 0,
        'Name Only Match': 2,
      },
    });
    expect(plan.duplicates.source).toEqual([
      {
        category: 'Name Only Match',
        patients: expect.arrayContaining([
          { workspace: 'source', userId: users.twinA },
          { workspace: 'source', userId: users.twinB },
        ]),
      },
    ]);
    expect(plan.duplicates.target).toEqual([]);
    expect(await t.connection.collection('clinics').find({}).toArray()).toEqual(before);
    expect(await mergePlansCount()).toBe(0);
  });

  it('should answer an .xlsx attachment with the six sheets otherwise', async () => {
    const res = await report(server, scenario.target.clinicId, { sourceId: scenario.source.clinicId });

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.ms-excel');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename=merge-report-\d+\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(SHEETS);

    const summary = rowsOf(workbook.getWorksheet('Summary')!);
    expect(summary).toContainEqual(['Can execute merge plan?', 'Yes']);
    expect(summary).toContainEqual(['Source Workspace', 'Source Clinic']);
    expect(summary).toContainEqual(['Resulting Patients', '7']);
    expect(summary).toContainEqual(['North (2)', 'Rename']);

    const header = ['Name', 'Claimed', 'UUID', 'DOB', 'MRN', 'Tags', 'Sites', 'Latest Upload'];
    const sourceRows = rowsOf(workbook.getWorksheet('Patients in Source Clinic')!);
    expect(sourceRows[0]).toEqual(header);
    expect(sourceRows).toHaveLength(6);
    expect(sourceRows).toContainEqual([
      'Mia Moved',
      'Yes',
      scenario.users.moved,
      '2002-02-02',
      'MRN-1',
      'Shared, Only Source',
      'South',
      '',
    ]);
    const targetRows = rowsOf(workbook.getWorksheet('Patients in Target Clinic')!);
    expect(targetRows).toHaveLength(4);
    expect(targetRows).toContainEqual([
      'Sam Shared',
      'Yes',
      scenario.users.shared,
      '2001-01-01',
      '',
      'Only Target',
      'North',
      '',
    ]);

    const merged = rowsOf(workbook.getWorksheet('Duplicates in Merged Workspace')!);
    expect(merged[0]).toEqual(['Cluster', 'Category', 'Workspace', ...header]);
    expect(
      merged
        .slice(1)
        .map((row) => [row[1], row[2], row[5]])
        .sort(),
    ).toEqual(
      [
        ['Duplicate Accounts', 'Source', scenario.users.shared],
        ['Duplicate Accounts', 'Target', scenario.users.shared],
        ['Likely Duplicate Accounts', 'Source', scenario.users.moved],
        ['Likely Duplicate Accounts', 'Target', scenario.users.likely],
        ['Likely Duplicate Accounts', 'Target', scenario.users.mrnTwin],
        ['Name Only Match', 'Source', scenario.users.twinA],
        ['Name Only Match', 'Source', scenario.users.twinB],
      ].sort(),
    );
    expect(rowsOf(workbook.getWorksheet('Duplicates in Target Clinic')!)).toHaveLength(1);
  });

  it('should say No, with the reasons, when the plan blocks the merge', async () => {
    const source = await createClinic(t, { name: 'Blocked Source', timezone: 'US/Pacific' });
    const target = await createClinic(t, { name: 'Blocked Target', timezone: 'US/Eastern' });
    await t.call('POST', `/v1/clinics/${source.clinicId}/clinicians`, {
      token: server,
      body: { inviteId: 'a'.repeat(32), email: 'pending@example.com', roles: ['CLINIC_MEMBER'] },
    });
    await addUserPatient(t, source.clinicId);

    const json = await call(server, target.clinicId, { sourceId: source.clinicId }, 'application/json');
    expect(json.status).toBe(200);
    expect((json.body as any).canExecute).toBe(false);
    expect((json.body as any).errors.sort()).toEqual(['Pending invites in source workspace', 'Settings mismatch']);

    const res = await report(server, target.clinicId, { sourceId: source.clinicId }, 'text/html');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const summary = rowsOf(workbook.getWorksheet('Summary')!);
    expect(summary).toContainEqual(['Can execute merge plan?', 'No']);
    expect(summary).toContainEqual(['', 'Settings mismatch']);
    expect(summary).toContainEqual(['Timezone', 'US/Pacific', 'US/Eastern', 'No']);
  });

  it('should answer 400 for a missing or malformed sourceId', async () => {
    expectValidationError(await call(server, scenario.target.clinicId, {}, 'application/json'), 'sourceId');
    expectValidationError(
      await call(server, scenario.target.clinicId, { sourceId: 'nope' }, 'application/json'),
      'sourceId',
    );
    expectValidationError(await call(server, scenario.target.clinicId, undefined, 'application/json'), 'sourceId');
    expect(await mergePlansCount()).toBe(0);
  });

  it('should answer 400 for a clinic merged into itself', async () => {
    const { clinicId } = scenario.target;
    expectError(
      await call(server, clinicId, { sourceId: clinicId }, 'application/json'),
      400,
      'bad request: a clinic cannot be merged into itself',
    );
  });

  it('should answer 404 when either clinic does not exist', async () => {
    expectError(
      await call(server, scenario.target.clinicId, { sourceId: newObjectId() }, 'application/json'),
      404,
      'clinic not found',
    );
    expectError(
      await call(server, newObjectId(), { sourceId: scenario.source.clinicId }, 'application/json'),
      404,
      'clinic not found',
    );
    expect(
      await t.connection.collection('clinics').countDocuments({ _id: new Types.ObjectId(scenario.source.clinicId) }),
    ).toBe(1);
  });
});
