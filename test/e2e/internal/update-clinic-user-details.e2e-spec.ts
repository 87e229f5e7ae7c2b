import { addClinician, createClinic, findClinicianDocuments, insertClinicianRecord } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient, findPatientDocument } from '../../support/patient-builders';
import type { TestApp } from '../../support/test-app';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

function clinicianRecordsOf(t: TestApp, userId: string): Promise<any[]> {
  return t.connection.collection('clinicians').find({ userId }).sort({ clinicId: 1 }).toArray();
}

function patientRecordsOf(t: TestApp, userId: string): Promise<any[]> {
  return t.connection.collection('patients').find({ userId }).sort({ clinicId: 1 }).toArray();
}

/** A user who is a clinician of two clinics and a patient of two others. */
async function clinicianAndPatient(t: TestApp): Promise<{
  userId: string;
  token: string;
  clinicianClinics: string[];
  patientClinics: string[];
}> {
  const [a, b, c, d] = [await createClinic(t), await createClinic(t), await createClinic(t), await createClinic(t)];
  const patient = await addUserPatient(t, c.clinicId);
  const shared = await t.call('POST', `/v1/clinics/${d.clinicId}/patients/${patient.userId}`, {
    token: await t.tokens.server(),
    body: { permissions: { view: {} } },
  });
  expect(shared.status).toBe(200);
  for (const { clinicId } of [a, b]) {
    const res = await t.call('POST', `/v1/clinics/${clinicId}/clinicians`, {
      token: await t.tokens.server(),
      body: { id: patient.userId, email: patient.email, roles: ['CLINIC_MEMBER'] },
    });
    expect(res.status).toBe(200);
  }
  return {
    userId: patient.userId,
    token: patient.token,
    clinicianClinics: [a.clinicId, b.clinicId],
    patientClinics: [c.clinicId, d.clinicId],
  };
}

describe('UpdateClinicUserDetails — POST /v1/users/{userId}/clinics', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const update = (token: string | undefined, userId: string, body?: unknown) =>
    t.call('POST', `/v1/users/${userId}/clinics`, { token, ...(body !== undefined ? { body } : {}) });

  it('should deny everyone but servers, the user themself and clinic admins included, changing nothing', async () => {
    const user = await clinicianAndPatient(t);
    const { admin } = await createClinic(t);
    const before = [await clinicianRecordsOf(t, user.userId), await patientRecordsOf(t, user.userId)];
    await expectDenials((token) => update(token, user.userId, { email: 'denied@example.com' }), {
      self: user.token,
      admin: admin.token,
    });
    expect([await clinicianRecordsOf(t, user.userId), await patientRecordsOf(t, user.userId)]).toEqual(before);
  });

  it('should set the e-mail on every clinician and patient record of the user, answering 200 with no body', async () => {
    const user = await clinicianAndPatient(t);

    const res = await update(server, user.userId, { email: 'New.Address@Example.com' });

    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const clinicians = await clinicianRecordsOf(t, user.userId);
    expect(clinicians).toHaveLength(2);
    for (const record of clinicians) {
      // Clinician e-mails are stored lower-cased, like every clinician e-mail of this service.
      expect(record).toMatchObject({
        email: 'new.address@example.com',
        emailKey: `${String(record.clinicId)}:new.address@example.com`,
      });
    }
    const patients = await patientRecordsOf(t, user.userId);
    expect(patients.map((record) => record.email)).toEqual(['New.Address@Example.com', 'New.Address@Example.com']);

    // The clinicians are found by their new e-mail, not by the old one.
    const [clinicId] = user.clinicianClinics;
    const byEmail = await t.call<any[]>('GET', `/v1/clinics/${clinicId}/clinicians`, {
      token: server,
      query: { email: 'NEW.ADDRESS@example.com' },
    });
    expect(byEmail.body.map((clinician) => clinician.id)).toEqual([user.userId]);
  });

  it('should answer 422 when another clinician of a clinic has the e-mail, still updating every other record', async () => {
    const user = await clinicianAndPatient(t);
    const [free, taken] = user.clinicianClinics;
    await addClinician(t, taken, ['CLINIC_MEMBER'], { email: 'shared@example.com' });
    const takenBefore = (await findClinicianDocuments(t, taken)).find((record) => record.userId === user.userId);

    const res = await update(server, user.userId, { email: 'shared@example.com' });

    expectError(res, 422, 'partially updated 1 out of 2 clinician records: constraint violation: duplicate email');
    const records = await clinicianRecordsOf(t, user.userId);
    expect(records.find((record) => String(record.clinicId) === free).email).toBe('shared@example.com');
    expect(records.find((record) => String(record.clinicId) === taken)).toEqual(takenBefore);
    expect((await patientRecordsOf(t, user.userId)).map((record) => record.email)).toEqual([
      'shared@example.com',
      'shared@example.com',
    ]);
  });

  it('should clear the patients’ e-mail when none or an empty one is sent, leaving clinician e-mails alone', async () => {
    for (const body of [{}, { email: '' }, undefined]) {
      const user = await clinicianAndPatient(t);
      const cliniciansBefore = await clinicianRecordsOf(t, user.userId);

      const res = await update(server, user.userId, body);

      expect(res.status).toBe(200);
      expect(await clinicianRecordsOf(t, user.userId)).toEqual(cliniciansBefore);
      for (const clinicId of user.patientClinics) {
        expect((await findPatientDocument(t, clinicId, user.userId)).email).toBeNull();
      }
    }
  });

  it('should answer 200 for a user with no records, changing nothing', async () => {
    const nobody = await t.users.create();
    expect((await update(server, nobody.userId, { email: 'nobody@example.com' })).status).toBe(200);
    expect(await clinicianRecordsOf(t, nobody.userId)).toEqual([]);
    expect(await patientRecordsOf(t, nobody.userId)).toEqual([]);
  });

  it('should answer 400 for a malformed e-mail or user id, changing nothing', async () => {
    const user = await clinicianAndPatient(t);
    const before = [await clinicianRecordsOf(t, user.userId), await patientRecordsOf(t, user.userId)];
    expectValidationError(await update(server, user.userId, { email: 'not-an-email' }), 'email');
    expectValidationError(await update(server, user.userId, { email: 42 }), 'email');
    expectValidationError(await update(server, 'not-a-user', { email: 'a@example.com' }), 'userId');
    expect([await clinicianRecordsOf(t, user.userId), await patientRecordsOf(t, user.userId)]).toEqual(before);
  });

  it('should give a contested e-mail to exactly one of two clinicians changing to it concurrently', async () => {
    const { clinicId } = await createClinic(t);
    const [first, second] = [await t.users.create(), await t.users.create()];
    await insertClinicianRecord(t, clinicId, {
      userId: first.userId,
      email: first.emails[0],
      roles: ['CLINIC_MEMBER'],
    });
    await insertClinicianRecord(t, clinicId, {
      userId: second.userId,
      email: second.emails[0],
      roles: ['CLINIC_MEMBER'],
    });

    const responses = await Promise.all(
      [first, second].map((user) => update(server, user.userId, { email: 'contested@example.com' })),
    );

    expect(responses.map((res) => res.status).sort()).toEqual([200, 422]);
    expectError(
      responses.find((res) => res.status === 422)!,
      422,
      'partially updated 0 out of 1 clinician records: constraint violation: duplicate email',
    );
    const holders = (await findClinicianDocuments(t, clinicId)).filter(
      (record) => record.email === 'contested@example.com',
    );
    expect(holders).toHaveLength(1);
  });
});
