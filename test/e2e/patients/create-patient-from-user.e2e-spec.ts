import { Types } from 'mongoose';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { databaseCommands } from '../../support/metrics';
import { expectCountsExact, findPatientDocument, findPatientDocuments } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME } from '../clinics/expectations';

describe('CreatePatientFromUser — POST /v1/clinics/{clinicId}/patients/{patientId}', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const create = (clinicId: string, userId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients/${userId}`, { token, body });

  it('should deny everyone but servers: admins, members, the user themself', async () => {
    const { clinicId, admin } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const user = await t.users.create({ roles: [] });
    await expectDenials((token) => create(clinicId, user.userId, token, {}), {
      admin: admin.token,
      member: member.token,
      userThemself: user.token,
    });
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
  });

  it('should fill name, birth date, MRN, e-mail and target devices from the user’s account and profile', async () => {
    const { clinicId } = await createClinic(t);
    const user = await t.users.create({
      email: 'Pat.Profile@Example.com',
      fullName: 'Account Name',
      roles: [],
      profile: {
        fullName: 'Profile Name',
        patient: { fullName: 'Pat Profile', birthday: '2008-07-06', mrn: 'P-42', targetDevices: ['omnipod'] },
      },
    });

    const res = await create(clinicId, user.userId, server, { permissions: { view: { any: 'thing' }, note: {} } });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: user.userId,
      fullName: 'Pat Profile',
      birthDate: '2008-07-06',
      email: 'pat.profile@example.com',
      mrn: 'P-42',
      targetDevices: ['omnipod'],
      permissions: { view: {}, note: {} },
      tags: null,
      dataSources: null,
      reviews: [],
      sites: [],
      connectionRequests: { abbott: [], dexcom: [], twiist: [] },
      createdTime: expect.stringMatching(ISO_DATE_TIME),
      updatedTime: expect.stringMatching(ISO_DATE_TIME),
    });
    expect(await findPatientDocument(t, clinicId, user.userId)).toMatchObject({
      permissions: { view: {}, note: {} },
      fullNameKey: 'pat profile',
      mrnLower: 'p-42',
    });
    await expectCountsExact(t, clinicId);
  });

  it('should keep values sent, fall back to the profile’s full name, and store no permissions when none are sent', async () => {
    const { clinicId } = await createClinic(t);
    const fallback = await t.users.create({ roles: [], profile: { fullName: 'Only Profile' } });
    const sent = await t.users.create({
      roles: [],
      profile: { patient: { fullName: 'Profile', mrn: 'X', birthday: '2001-01-01' } },
    });

    const first = await create(clinicId, fallback.userId, server, {});
    const second = await create(clinicId, sent.userId, server, {
      fullName: 'Sent Name',
      birthDate: '1999-09-09',
      mrn: 'SENT-1',
      isMigrated: true,
      attestationSubmitted: true,
      diagnosisType: '',
    });

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ fullName: 'Only Profile' });
    expect(first.body).not.toHaveProperty('birthDate');
    expect(first.body).not.toHaveProperty('permissions');
    expect(first.body).not.toHaveProperty('targetDevices');
    const stored = await findPatientDocument(t, clinicId, fallback.userId);
    expect(stored).toMatchObject({ birthDate: '', mrn: null, targetDevices: null });
    expect(stored).not.toHaveProperty('permissions');
    expect(stored).not.toHaveProperty('isMigrated');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ fullName: 'Sent Name', birthDate: '1999-09-09', mrn: 'SENT-1' });
    expect(second.body).not.toHaveProperty('diagnosisType');
    expect(await findPatientDocument(t, clinicId, sent.userId)).toMatchObject({ isMigrated: true, diagnosisType: '' });
  });

  it('should drop sites the clinic does not have and take names from the clinic', async () => {
    const { clinicId } = await createClinic(t);
    const site = { id: new Types.ObjectId(), name: 'Main Street' };
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { sites: [site] } });
    const user = await t.users.create({ roles: [] });

    const res = await create(clinicId, user.userId, server, {
      sites: [
        { id: site.id.toHexString(), name: 'x' },
        { id: newObjectId(), name: 'gone' },
      ],
    });

    expect(res.status).toBe(200);
    expect(res.body.sites).toEqual([{ id: site.id.toHexString(), name: 'Main Street' }]);
  });

  it('should answer 409 for a user who is already a patient, and add a legacy clinician id instead when one is sent', async () => {
    const { clinicId } = await createClinic(t);
    const user = await t.users.create({ roles: [] });
    expect((await create(clinicId, user.userId, server, { permissions: { view: {} } })).status).toBe(200);

    const again = await create(clinicId, user.userId, server, { permissions: { view: {} } });
    expectError(again, 409, 'duplicate: patient is already a member of the clinic');

    const legacy = await create(clinicId, user.userId, server, { legacyClinicianId: 'abcdefabcd' });
    const legacyAgain = await create(clinicId, user.userId, server, { legacyClinicianId: 'abcdefabcd' });
    expect(legacy.status).toBe(200);
    expect(legacyAgain.status).toBe(200);
    expect(legacy.body.id).toBe(user.userId);
    const documents = await findPatientDocuments(t, clinicId);
    expect(documents).toHaveLength(1);
    expect(documents[0].legacyClinicianIds).toEqual(['abcdefabcd']);
    await expectCountsExact(t, clinicId);
  });

  it('should give exactly one of 20 concurrent requests for the same user a record; the rest 409, none 500', async () => {
    const { clinicId } = await createClinic(t);
    const user = await t.users.create({ roles: [] });

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => create(clinicId, user.userId, server, { permissions: { view: {} } })),
    );

    const statuses = answers.map((res) => res.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
    for (const res of answers.filter((answer) => answer.status === 409)) {
      expectError(res, 409, 'duplicate: patient is already a member of the clinic');
    }
    expect(await findPatientDocuments(t, clinicId)).toHaveLength(1);
    await expectCountsExact(t, clinicId);
    console.log(
      `20 concurrent CreatePatientFromUser: ${JSON.stringify(countBy(statuses))}, ` +
        `${(await findPatientDocuments(t, clinicId)).length} patient document`,
    );
  });

  it('should write concurrent creations for one clinic together, each answered on its own, counts exact', async () => {
    const { clinicId } = await createClinic(t);
    const users = await Promise.all(Array.from({ length: 24 }, () => t.users.create({ roles: [] })));
    const twice = users[0];
    const insertsBefore = await databaseCommands(t, 'insert');

    const answers = await Promise.all([
      ...users.map((user) => create(clinicId, user.userId, server, { permissions: { view: {} } })),
      ...Array.from({ length: 6 }, () => create(clinicId, twice.userId, server, { permissions: { view: {} } })),
    ]);

    const inserts = (await databaseCommands(t, 'insert')) - insertsBefore;
    const statuses = answers.map((res) => res.status);
    expect(countBy(statuses)).toEqual({ 200: 24, 409: 6 });
    const createdForTwice = answers.filter((res) => res.status === 200 && res.body.id === twice.userId);
    expect(createdForTwice).toHaveLength(1);
    for (const user of users.slice(1)) {
      expect(answers.find((res) => res.status === 200 && res.body.id === user.userId)).toBeDefined();
    }
    const documents = await findPatientDocuments(t, clinicId);
    expect(documents.map((document) => document.userId).sort()).toEqual(users.map((user) => user.userId).sort());
    await expectCountsExact(t, clinicId);
    // 30 creations, written in fewer insert commands than creations.
    expect(inserts).toBeLessThan(30);
    console.log(`30 concurrent CreatePatientFromUser for one clinic: ${inserts} insert commands`);
  });

  it('should answer 404 `not found` for a user the directory does not know, and 404 for a missing clinic', async () => {
    const { clinicId } = await createClinic(t);
    expectError(await create(clinicId, 'abcdef0123', server, {}), 404, 'not found');
    const user = await t.users.create({ roles: [] });
    expectError(await create(newObjectId(), user.userId, server, {}), 404, 'clinic not found');
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
  });

  it.each([
    ['a malformed legacy clinician id', { legacyClinicianId: 'nope' }, 'legacyClinicianId'],
    ['a permission that is not an object', { permissions: { view: true } }, 'permissions.view'],
    ['an impossible birth date', { birthDate: '2001-02-30' }, 'birthDate'],
    ['a malformed site id', { sites: [{ id: 'x' }] }, 'sites[0].id'],
  ])('should refuse %s with 400, creating nothing', async (_case, body, field) => {
    const { clinicId } = await createClinic(t);
    const user = await t.users.create({ roles: [] });
    expectValidationError(await create(clinicId, user.userId, server, body), field);
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
  });
});

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
