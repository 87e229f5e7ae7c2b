import { Types } from 'mongoose';
import { MergeFaults } from '../../../src/modules/clinics/merges/merge-faults';
import { MergesService } from '../../../src/modules/clinics/merges/merges.service';
import { MergeStep } from '../../../src/modules/clinics/merges/merge-plan.schema';
import { createClinic, findClinicDocument, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient, expectedPatientCount } from '../../support/patient-builders';
import type { TestApp } from '../../support/test-app';
import { useTestApp } from '../../support/test-app';
import { expectAdminsConsistent, expectDenials } from '../clinics/expectations';
import { buildMergeScenario, describeTarget, MergeScenario } from '../clinics/merge.fixture';

/** Interrupts the next merge once, after the chosen step. */
class InjectedFaults extends MergeFaults {
  failAfter?: MergeStep;

  override afterStep(step: MergeStep): void {
    if (step !== this.failAfter) return;
    this.failAfter = undefined;
    throw new Error(`injected fault after the ${step} step`);
  }
}

/** The target of the scenario after a complete merge, written out. */
const EXPECTED_TARGET = {
  tags: ['Only Source', 'Only Target', 'Shared'],
  sites: ['North', 'North (2)', 'South'],
  admins: ['sourceAdmin', 'targetAdmin'],
  shareCodes: ['source', 'target'],
  patientCount: { total: 7, plan: 7 },
  clinicians: {
    both: ['CLINIC_MEMBER'],
    sourceAdmin: ['CLINIC_ADMIN'],
    sourceMember: ['CLINIC_MEMBER'],
    targetAdmin: ['CLINIC_ADMIN'],
  },
  patients: {
    likely: { tags: [], sites: [], mrn: null },
    moved: { tags: ['Only Source', 'Shared'], sites: ['South'], mrn: 'MRN-1' },
    mrnTwin: { tags: [], sites: [], mrn: 'mrn-1' },
    north: { tags: [], sites: ['North (2)'], mrn: null },
    shared: { tags: ['Only Source', 'Only Target', 'Shared'], sites: ['North', 'South'], mrn: null },
    twinA: { tags: [], sites: [], mrn: null },
    twinB: { tags: [], sites: [], mrn: null },
  },
};

function mergePlans(t: TestApp): Promise<any[]> {
  return t.connection.collection('merge_plans').find({}).toArray();
}

/** Everything a merge may write, to check that a refused merge wrote nothing. */
async function snapshot(t: TestApp): Promise<unknown> {
  const read = (name: string) => t.connection.collection(name).find({}).sort({ _id: 1 }).toArray();
  return {
    clinics: await read('clinics'),
    clinicians: await read('clinicians'),
    patients: await read('patients'),
    shareCodes: await read('share_codes'),
    mergePlans: await read('merge_plans'),
  };
}

describe('MergeClinic — POST /v1/clinics/{clinicId}/merge', () => {
  const faults = new InjectedFaults();
  const t = useTestApp({ override: (builder) => builder.overrideProvider(MergeFaults).useValue(faults) });
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const merge = (token: string | undefined, targetId: string, body: unknown) =>
    t.call('POST', `/v1/clinics/${targetId}/merge`, { token, body });

  /** The source is gone (archived), its share code resolves to the target, the journal is complete. */
  async function expectMerged(scenario: MergeScenario): Promise<void> {
    const { source, target } = scenario;
    expect(await describeTarget(t, scenario)).toEqual(EXPECTED_TARGET);
    expect(await t.connection.collection('clinics').findOne({ _id: new Types.ObjectId(source.clinicId) })).toBeNull();
    const archive = await t.connection
      .collection('clinic_deletions')
      .findOne({ 'clinic._id': new Types.ObjectId(source.clinicId) });
    expect(archive).toEqual(expect.objectContaining({ deletedTime: expect.any(Date) }));
    expect(
      await t.connection.collection('patients').countDocuments({ clinicId: new Types.ObjectId(source.clinicId) }),
    ).toBe(0);
    expect(
      await t.connection.collection('clinicians').countDocuments({ clinicId: new Types.ObjectId(source.clinicId) }),
    ).toBe(0);
    const byCode = await t.call<any>('GET', `/v1/clinics/share_code/${source.clinic.shareCode}`, { token: server });
    expect(byCode.status).toBe(200);
    expect(byCode.body).toEqual(expect.objectContaining({ id: target.clinicId, shareCode: target.clinic.shareCode }));
    expect(await t.connection.collection('share_codes').findOne({ _id: source.clinic.shareCode })).toEqual({
      _id: source.clinic.shareCode,
      clinicId: new Types.ObjectId(target.clinicId),
    });
    const stored = (await findClinicDocument(t, target.clinicId)).patientCount;
    const expected = await expectedPatientCount(t, target.clinicId);
    expect({ total: stored.total, demo: stored.demo, plan: stored.plan }).toEqual({
      total: expected.total,
      demo: expected.demo,
      plan: expected.plan,
    });
    await expectAdminsConsistent(t, target.clinicId);
    // A moved clinician is found by the usual member look-up in the target.
    const moved = await t.call<any>('GET', `/v1/clinics/${target.clinicId}/clinicians/${scenario.users.sourceAdmin}`, {
      token: server,
    });
    expect(moved.status).toBe(200);
    expect(moved.body.roles).toEqual(['CLINIC_ADMIN']);
    // The journal: one header, completed, and one record per step, all under one planId.
    const records = (await mergePlans(t)).filter(
      (record) => record.sourceId === source.clinicId || String(record._id).includes(':'),
    );
    const header = records.find((record) => record.type === 'merge' && record.sourceId === source.clinicId);
    expect(header).toEqual(
      expect.objectContaining({ targetId: target.clinicId, status: 'COMPLETED', step: MergeStep.Finalize }),
    );
    expect(header.activeSourceId).toBeUndefined();
    const steps = records.filter((record) => record.planId === header.planId && record.type !== 'merge');
    expect(steps.map((record) => record.type).sort()).toEqual(['clinic', 'clinician', 'patient', 'site', 'tag']);
  }

  it('should deny everyone but servers, clinic admins included, changing nothing', async () => {
    const scenario = await buildMergeScenario(t);
    const before = await snapshot(t);
    const member = await t.users.create();
    await expectDenials((token) => merge(token, scenario.target.clinicId, { sourceId: scenario.source.clinicId }), {
      targetAdmin: scenario.target.admin.token,
      sourceAdmin: scenario.source.admin.token,
      otherUser: member.token,
    });
    expect(await snapshot(t)).toEqual(before);
  });

  it('should move tags, patients, sites, clinicians and share codes into the target and delete the source', async () => {
    const scenario = await buildMergeScenario(t);

    const res = await merge(server, scenario.target.clinicId, { sourceId: scenario.source.clinicId });

    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await expectMerged(scenario);
    const moved = await t.connection
      .collection('patients')
      .findOne({ clinicId: new Types.ObjectId(scenario.target.clinicId), userId: scenario.users.moved });
    expect(moved).toEqual(expect.objectContaining({ requireUniqueMrn: false, mrnLower: 'mrn-1' }));
    expect(moved?.mrnKey).toBeUndefined();
  });

  it('should finish an interrupted merge when the request is repeated, ending as an uninterrupted one', async () => {
    const scenario = await buildMergeScenario(t);
    faults.failAfter = MergeStep.Patients;

    const failed = await merge(server, scenario.target.clinicId, { sourceId: scenario.source.clinicId });

    expect(failed.status).toBe(500);
    const running = (await mergePlans(t)).find((record) => record.activeSourceId === scenario.source.clinicId);
    expect(running).toEqual(expect.objectContaining({ status: 'RUNNING', step: MergeStep.Sites }));
    expect(await findClinicDocument(t, scenario.source.clinicId)).not.toBeNull();
    expect(
      await t.connection
        .collection('patients')
        .countDocuments({ clinicId: new Types.ObjectId(scenario.source.clinicId) }),
    ).toBe(0);

    const retried = await merge(server, scenario.target.clinicId, { sourceId: scenario.source.clinicId });

    expect(retried.status).toBe(200);
    await expectMerged(scenario);
    const headers = (await mergePlans(t)).filter(
      (record) => record.type === 'merge' && record.sourceId === scenario.source.clinicId,
    );
    expect(headers).toHaveLength(1);
  });

  it('should carry over a patient added to the source while the merge stood interrupted', async () => {
    const { clinicId: sourceId } = await createClinic(t, { name: 'Late Source' });
    const { clinicId: targetId } = await createClinic(t, { name: 'Late Target' });
    await addUserPatient(t, sourceId);
    faults.failAfter = MergeStep.Patients;
    expect((await merge(server, targetId, { sourceId })).status).toBe(500);
    const late = await addUserPatient(t, sourceId, { fullName: 'Lee Late' });

    expect((await merge(server, targetId, { sourceId })).status).toBe(200);

    expect(await findClinicDocument(t, sourceId)).toBeNull();
    const patients = await t.connection
      .collection('patients')
      .find({ clinicId: new Types.ObjectId(targetId) })
      .toArray();
    expect(patients).toHaveLength(2);
    expect(patients.map((patient) => patient.userId)).toContain(late.userId);
    expect((await findClinicDocument(t, targetId)).patientCount).toEqual(
      expect.objectContaining({ total: 2, plan: 2 }),
    );
  });

  it('should resume a merge interrupted by a stop when the service starts again', async () => {
    const scenario = await buildMergeScenario(t);
    faults.failAfter = MergeStep.Clinicians;
    expect((await merge(server, scenario.target.clinicId, { sourceId: scenario.source.clinicId })).status).toBe(500);
    expect(await findClinicDocument(t, scenario.source.clinicId)).not.toBeNull();

    await t.app.get(MergesService).resumeInterrupted();

    await expectMerged(scenario);
  });

  it('should answer 409 and change nothing when a new tag clashes with a target tag without case and spaces', async () => {
    const source = await createClinic(t, { name: 'Clashing Source' });
    const target = await createClinic(t, { name: 'Clashing Target' });
    const setTags = (clinicId: string, names: string[]) =>
      t.connection
        .collection('clinics')
        .updateOne(
          { _id: new Types.ObjectId(clinicId) },
          { $set: { patientTags: names.map((name) => ({ _id: new Types.ObjectId(), name })) } },
        );
    await setTags(source.clinicId, ['Foo Bar']);
    await setTags(target.clinicId, ['foobar']);
    const before = await snapshot(t);

    expectError(await merge(server, target.clinicId, { sourceId: source.clinicId }), 409, 'duplicate patient tag');
    expect(await snapshot(t)).toEqual(before);
  });

  it('should let one of two concurrent merges of the same source proceed and refuse the other', async () => {
    const scenario = await buildMergeScenario(t);
    const other = await createClinic(t, { name: 'Other Target' });

    const responses = await Promise.all([
      merge(server, scenario.target.clinicId, { sourceId: scenario.source.clinicId }),
      merge(server, scenario.target.clinicId, { sourceId: scenario.source.clinicId }),
      merge(server, other.clinicId, { sourceId: scenario.source.clinicId }),
    ]);

    const statuses = responses.map((res) => res.status);
    expect(statuses[0] === 200 || statuses[1] === 200 || statuses[2] === 200).toBe(true);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.every((status) => [200, 404, 409].includes(status))).toBe(true);
    if (statuses[2] !== 200) await expectMerged(scenario);
    else
      expect(
        await t.connection.collection('patients').countDocuments({ clinicId: new Types.ObjectId(other.clinicId) }),
      ).toBe(7);
  });

  it('should answer 400 and change nothing when the plan does not allow the merge', async () => {
    const source = await createClinic(t, { name: 'Blocked Source', timezone: 'US/Pacific' });
    const target = await createClinic(t, { name: 'Blocked Target', timezone: 'US/Eastern' });
    await addUserPatient(t, source.clinicId);
    const before = await snapshot(t);

    const res = await merge(server, target.clinicId, { sourceId: source.clinicId });

    expectError(res, 400, 'bad request: the merge plan does not allow execution');
    expect(await snapshot(t)).toEqual(before);
  });

  it('should answer 422 and change nothing when the new tags would pass the 50-tag limit', async () => {
    const source = await createClinic(t, { name: 'Many Tags Source' });
    const target = await createClinic(t, { name: 'Many Tags Target' });
    const tags = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, index) => ({ _id: new Types.ObjectId(), name: `${prefix}${index}` }));
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(target.clinicId) }, { $set: { patientTags: tags('t', 49) } });
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(source.clinicId) }, { $set: { patientTags: tags('s', 2) } });
    const before = await snapshot(t);

    const res = await merge(server, target.clinicId, { sourceId: source.clinicId });

    expectError(res, 422, 'constraint violation: the clinic already has the maximum number of 50 patient tags');
    expect(await snapshot(t)).toEqual(before);
  });

  it('should answer 400 for a missing or malformed sourceId, or a clinic merged into itself', async () => {
    const { clinicId } = await createClinic(t);
    const before = await snapshot(t);
    expectValidationError(await merge(server, clinicId, {}), 'sourceId');
    expectValidationError(await merge(server, clinicId, undefined), 'sourceId');
    expectValidationError(await merge(server, clinicId, { sourceId: 'x' }), 'sourceId');
    expectError(
      await merge(server, clinicId, { sourceId: clinicId }),
      400,
      'bad request: a clinic cannot be merged into itself',
    );
    expect(await snapshot(t)).toEqual(before);
  });

  it('should answer 404 when either clinic does not exist', async () => {
    const { clinicId } = await createClinic(t);
    const before = await snapshot(t);
    expectError(await merge(server, clinicId, { sourceId: newObjectId() }), 404, 'clinic not found');
    expectError(await merge(server, newObjectId(), { sourceId: clinicId }), 404, 'clinic not found');
    expect(await snapshot(t)).toEqual(before);
  });
});
