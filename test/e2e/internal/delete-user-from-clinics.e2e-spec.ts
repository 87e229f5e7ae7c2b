import { Types } from 'mongoose';
import {
  addClinician,
  addInvite,
  createClinic,
  findClinicDocument,
  findClinicianDocuments,
  insertClinicianRecord,
} from '../../support/builders';
import { expectValidationError } from '../../support/expect-error';
import {
  addCustodialPatient,
  addUserPatient,
  expectCountsExact,
  expectedPatientCount,
  findPatientArchives,
  findPatientDocument,
  findPatientDocuments,
} from '../../support/patient-builders';
import type { TestApp } from '../../support/test-app';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

/** The stored patient counts equal what the documents say (read from the clinic, not recomputed by a GET). */
async function expectStoredCountsExact(t: TestApp, clinicId: string): Promise<void> {
  const stored = (await findClinicDocument(t, clinicId)).patientCount;
  const expected = await expectedPatientCount(t, clinicId);
  expect({ clinicId, total: stored?.total, demo: stored?.demo, plan: stored?.plan }).toEqual({
    clinicId,
    total: expected.total,
    demo: expected.demo,
    plan: expected.plan,
  });
}

/** `admins` lists exactly the clinic's clinicians holding CLINIC_ADMIN (possibly none, after a user deletion). */
async function expectAdmins(t: TestApp, clinicId: string, admins: string[]): Promise<void> {
  const clinic = await findClinicDocument(t, clinicId);
  const adminRecords = (await findClinicianDocuments(t, clinicId))
    .filter((clinician) => clinician.userId && clinician.roles.includes('CLINIC_ADMIN'))
    .map((clinician) => clinician.userId as string);
  expect([...clinic.admins].sort()).toEqual([...admins].sort());
  expect([...adminRecords].sort()).toEqual([...admins].sort());
}

function clinicianArchives(t: TestApp, userId: string): Promise<any[]> {
  return t.connection.collection('clinician_deletions').find({ 'clinician.userId': userId }).toArray();
}

function recordsOfUser(t: TestApp, userId: string): Promise<[any[], any[]]> {
  return Promise.all([
    t.connection.collection('patients').find({ userId }).toArray(),
    t.connection.collection('clinicians').find({ userId }).toArray(),
  ]);
}

/** Makes an existing user a patient of another clinic too (CreatePatientFromUser). */
async function sharePatient(t: TestApp, clinicId: string, userId: string): Promise<void> {
  const res = await t.call('POST', `/v1/clinics/${clinicId}/patients/${userId}`, {
    token: await t.tokens.server(),
    body: { permissions: { view: {} } },
  });
  if (res.status !== 200) throw new Error(`CreatePatientFromUser answered ${res.status}: ${res.text}`);
}

describe('DeleteUserFromClinics — DELETE /v1/users/{userId}/clinics', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const remove = (token: string | undefined, userId: string) =>
    t.call('DELETE', `/v1/users/${userId}/clinics`, { token });

  it('should deny everyone but servers, the user themself and clinic admins included, deleting nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const outsider = await t.users.create();
    await expectDenials((token) => remove(token, admin.userId), {
      self: admin.token,
      otherUser: outsider.token,
      patient: patient.token,
    });
    await expectDenials((token) => remove(token, patient.userId), { self: patient.token, admin: admin.token });
    const [patients] = await recordsOfUser(t, patient.userId);
    const [, clinicians] = await recordsOfUser(t, admin.userId);
    expect(patients).toHaveLength(1);
    expect(clinicians).toHaveLength(1);
  });

  it('should archive and delete the user’s patient records in every clinic and recount each clinic', async () => {
    const a = await createClinic(t);
    const b = await createClinic(t);
    const patient = await addUserPatient(t, a.clinicId);
    await sharePatient(t, b.clinicId, patient.userId);
    const others = [await addUserPatient(t, a.clinicId), await addUserPatient(t, b.clinicId)];
    const before = await Promise.all([a, b].map(({ clinicId }) => findPatientDocument(t, clinicId, patient.userId)));

    const res = await remove(server, patient.userId);

    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await recordsOfUser(t, patient.userId)).toEqual([[], []]);
    const archives = await findPatientArchives(t, patient.userId);
    expect(archives.sort((x, y) => String(x._id).localeCompare(String(y._id)))).toEqual(
      before
        .map((record) => ({ _id: record._id, deletedTime: expect.any(Date), patient: record }))
        .sort((x, y) => String(x._id).localeCompare(String(y._id))),
    );
    for (const [index, { clinicId }] of [a, b].entries()) {
      expect(await findPatientDocuments(t, clinicId)).toEqual([
        expect.objectContaining({ userId: others[index].userId }),
      ]);
      await expectStoredCountsExact(t, clinicId);
    }
  });

  it('should delete the user’s clinician records, update admins, and empty clinics left without clinicians of their non-custodial patients', async () => {
    const user = await t.users.create({ roles: ['clinic'] });
    const userToken = user.token;
    // A: the user is one of two admins.
    const a = await createClinic(t);
    await insertClinicianRecord(t, a.clinicId, { userId: user.userId, roles: ['CLINIC_ADMIN'] });
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(a.clinicId) }, { $addToSet: { admins: user.userId } });
    // B: the user is a member.
    const b = await createClinic(t);
    await insertClinicianRecord(t, b.clinicId, { userId: user.userId, roles: ['CLINIC_MEMBER'] });
    // C, D, E: the user is the only admin (made through the API, with the user as creator).
    const [c, d, e] = [
      await createClinicAs(t, userToken),
      await createClinicAs(t, userToken),
      await createClinicAs(t, userToken),
    ];
    // C: the user's is the only clinician record; D: a member stays; E: a pending invite stays.
    const dMember = await addClinician(t, d, ['CLINIC_MEMBER']);
    const eInvite = await addInvite(t, e, ['CLINIC_ADMIN']);
    const patients: Record<string, { shared: string[]; custodial: string[] }> = {};
    for (const clinicId of [c, d, e]) {
      const shared = [await addUserPatient(t, clinicId), await addUserPatient(t, clinicId)];
      const custodial = await addCustodialPatient(t, clinicId, userToken);
      patients[clinicId] = { shared: shared.map((p) => p.userId), custodial: [custodial.id] };
    }
    const cPatientsBefore = await findPatientDocuments(t, c);

    const res = await remove(server, user.userId);

    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await recordsOfUser(t, user.userId)).toEqual([[], []]);
    const archived = await clinicianArchives(t, user.userId);
    expect(archived.map((archive) => String(archive.clinician.clinicId)).sort()).toEqual(
      [a.clinicId, b.clinicId, c, d, e].sort(),
    );
    for (const archive of archived) expect(archive.deletedByUserId).toBeUndefined();

    await expectAdmins(t, a.clinicId, [a.admin.userId]);
    await expectAdmins(t, b.clinicId, [b.admin.userId]);
    for (const clinicId of [c, d, e]) await expectAdmins(t, clinicId, []);
    expect(await findClinicianDocuments(t, d)).toEqual([expect.objectContaining({ userId: dMember.userId })]);
    expect(await findClinicianDocuments(t, e)).toEqual([expect.objectContaining({ inviteId: eInvite.inviteId })]);

    // C lost its non-custodial patients (archived); its custodial one and the clinic itself stay.
    expect((await findPatientDocuments(t, c)).map((p) => p.userId)).toEqual(patients[c].custodial);
    const cArchives = await t.connection
      .collection('patient_deletions')
      .find({ 'patient.clinicId': new Types.ObjectId(c) })
      .toArray();
    expect(cArchives.map((archive) => archive.patient).sort(byUserId)).toEqual(
      cPatientsBefore.filter((p) => patients[c].shared.includes(p.userId)).sort(byUserId),
    );
    expect(await findClinicDocument(t, c)).not.toBeNull();
    // D and E still have clinician records: their patients stay.
    for (const clinicId of [d, e]) {
      expect((await findPatientDocuments(t, clinicId)).map((p) => p.userId).sort()).toEqual(
        [...patients[clinicId].shared, ...patients[clinicId].custodial].sort(),
      );
    }
    for (const clinicId of [a.clinicId, b.clinicId, c, d, e]) await expectStoredCountsExact(t, clinicId);
  });

  it('should answer 200 and change nothing when repeated, or for a user with no records', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    expect((await remove(server, patient.userId)).status).toBe(200);
    const archivesBefore = await findPatientArchives(t, patient.userId);
    const clinicBefore = await findClinicDocument(t, clinicId);

    const again = await remove(server, patient.userId);
    expect(again.status).toBe(200);
    expect(again.text).toBe('');
    expect(await findPatientArchives(t, patient.userId)).toEqual(archivesBefore);
    expect((await findClinicDocument(t, clinicId)).patientCount).toEqual(clinicBefore.patientCount);
    expect(await findClinicianDocuments(t, clinicId)).toEqual([expect.objectContaining({ userId: admin.userId })]);

    const nobody = await t.users.create();
    expect((await remove(server, nobody.userId)).status).toBe(200);
    expect((await remove(server, '0123456789')).status).toBe(200);
  });

  it('should finish the job when repeated after an interrupted run, with exact counts', async () => {
    const user = await t.users.create({ roles: ['clinic'] });
    // The user is a patient of A and B; the run stopped after A's record was archived and deleted,
    // when A's counts had been removed and not yet recounted.
    const a = await createClinic(t);
    const b = await createClinic(t);
    await sharePatient(t, a.clinicId, user.userId);
    await sharePatient(t, b.clinicId, user.userId);
    await addUserPatient(t, a.clinicId);
    await archiveAndDeleteAsInterrupted(t, a.clinicId, user.userId);
    // The user is C's only clinician; the run stopped in C while removing its non-custodial patients:
    // one removed, one left, the user already out of `admins`, their record still there.
    const c = await createClinicAs(t, user.token);
    const [gone, left] = [await addUserPatient(t, c), await addUserPatient(t, c)];
    const custodial = await addCustodialPatient(t, c, user.token);
    await archiveAndDeleteAsInterrupted(t, c, gone.userId);
    await t.connection.collection('clinics').updateOne({ _id: new Types.ObjectId(c) }, { $set: { admins: [] } });

    const res = await remove(server, user.userId);

    expect(res.status).toBe(200);
    expect(await recordsOfUser(t, user.userId)).toEqual([[], []]);
    expect(await findPatientArchives(t, user.userId)).toHaveLength(2);
    expect((await findPatientDocuments(t, c)).map((p) => p.userId)).toEqual([custodial.id]);
    expect(await findPatientArchives(t, left.userId)).toHaveLength(1);
    expect(await clinicianArchives(t, user.userId)).toHaveLength(1);
    await expectAdmins(t, c, []);
    for (const clinicId of [b.clinicId, c]) await expectStoredCountsExact(t, clinicId);
    // A's record was gone before the repeat: its counts stay absent — never stale — until first used.
    expect((await findClinicDocument(t, a.clinicId)).patientCount).toBeUndefined();
    await expectCountsExact(t, a.clinicId);
    await expectStoredCountsExact(t, a.clinicId);
  });

  it('should end in the same state when two deletions of the same user run concurrently', async () => {
    const user = await t.users.create({ roles: ['clinic'] });
    const a = await createClinic(t);
    await sharePatient(t, a.clinicId, user.userId);
    await addUserPatient(t, a.clinicId);
    const c = await createClinicAs(t, user.token);
    await addUserPatient(t, c);
    await addCustodialPatient(t, c, user.token);
    const d = await createClinicAs(t, user.token);
    const dMember = await addClinician(t, d, ['CLINIC_MEMBER']);

    const responses = await Promise.all([remove(server, user.userId), remove(server, user.userId)]);

    expect(responses.map((res) => res.status)).toEqual([200, 200]);
    expect(await recordsOfUser(t, user.userId)).toEqual([[], []]);
    expect(await clinicianArchives(t, user.userId)).toHaveLength(2);
    expect(await findPatientDocuments(t, c)).toHaveLength(1);
    expect(await findClinicianDocuments(t, d)).toEqual([expect.objectContaining({ userId: dMember.userId })]);
    for (const clinicId of [c, d]) await expectAdmins(t, clinicId, []);
    for (const clinicId of [a.clinicId, c, d]) await expectStoredCountsExact(t, clinicId);
  });

  it('should answer 400 for a malformed user id', async () => {
    expectValidationError(await remove(server, 'not-a-user'), 'userId');
  });
});

/**
 * What an interrupted run leaves after archiving and deleting a patient record: the archive, no
 * record, and the clinic's counts removed but not yet recounted.
 */
async function archiveAndDeleteAsInterrupted(t: TestApp, clinicId: string, userId: string): Promise<void> {
  const record = await findPatientDocument(t, clinicId, userId);
  await t.connection
    .collection('patient_deletions')
    .insertOne({ _id: record._id, deletedTime: new Date(), patient: record });
  await t.connection.collection('patients').deleteOne({ _id: record._id });
  await t.connection
    .collection('clinics')
    .updateOne({ _id: new Types.ObjectId(clinicId) }, { $unset: { patientCount: '' } });
}

/** A clinic created through the API by the token's user, who becomes its only admin. */
async function createClinicAs(t: TestApp, token: string): Promise<string> {
  const res = await t.call<any>('POST', '/v1/clinics', {
    token,
    body: { name: 'Solo Practice', preferredBgUnits: 'mg/dL' },
  });
  if (res.status !== 200) throw new Error(`CreateClinic answered ${res.status}: ${res.text}`);
  return res.body.id;
}

function byUserId(x: { userId: string }, y: { userId: string }): number {
  return x.userId.localeCompare(y.userId);
}
