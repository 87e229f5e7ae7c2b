import { addClinician, createClinic, insertClinicianRecord } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient, findPatientDocument } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME } from '../clinics/expectations';

describe('reviews and upload reminders', () => {
  const t = useTestApp();

  const reviews = (method: 'PUT' | 'DELETE', clinicId: string, userId: string, token: string | undefined) =>
    t.call<any>(method, `/v1/clinics/${clinicId}/patients/${userId}/reviews`, { token });
  const remind = (clinicId: string, userId: string, token: string | undefined) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients/${userId}/upload_reminder`, { token });

  /** A server token whose subject is a member of the clinic passes the MEM rule and reaches the handler. */
  async function memberServerToken(clinicId: string): Promise<string> {
    await insertClinicianRecord(t, clinicId, { userId: 'worker', roles: ['CLINIC_MEMBER'] });
    return t.tokens.server('worker');
  }

  describe('UpdatePatientReviews — PUT …/patients/{patientId}/reviews', () => {
    it('should deny servers, prescribers, plain users, the patient and other clinics’ admins', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      await expectDenials((token) => reviews('PUT', clinicId, patient.userId, token), {
        server: await t.tokens.server(),
        prescriber: prescriber.token,
        user: (await t.users.create()).token,
        patientThemself: patient.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await findPatientDocument(t, clinicId, patient.userId)).not.toHaveProperty('reviews');
    });

    it('should prepend the caller’s review and keep the two newest', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const patient = await addUserPatient(t, clinicId);

      const first = await reviews('PUT', clinicId, patient.userId, admin.token);
      expect(first.status).toBe(200);
      expect(first.body).toEqual([{ clinicianId: admin.userId, time: expect.stringMatching(ISO_DATE_TIME) }]);
      await reviews('PUT', clinicId, patient.userId, member.token);
      const third = await reviews('PUT', clinicId, patient.userId, admin.token);

      expect(third.status).toBe(200);
      expect(third.body.map((review: any) => review.clinicianId)).toEqual([admin.userId, member.userId]);
      expect(Date.parse(third.body[0].time)).toBeGreaterThanOrEqual(Date.parse(third.body[1].time));
      const stored = await findPatientDocument(t, clinicId, patient.userId);
      expect(stored.reviews).toHaveLength(2);
      expect(stored.reviews[0]).toEqual({ clinicianId: admin.userId, time: new Date(third.body[0].time) });
    });

    it('should answer 400 `expected user access token` to a server token that is a member', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      expectError(
        await reviews('PUT', clinicId, patient.userId, await memberServerToken(clinicId)),
        400,
        'expected user access token',
      );
      expect(await findPatientDocument(t, clinicId, patient.userId)).not.toHaveProperty('reviews');
    });

    it('should answer 404 for a user who is not a patient, and 400 for a malformed id', async () => {
      const { clinicId, admin } = await createClinic(t);
      expectError(await reviews('PUT', clinicId, 'abcdef0123', admin.token), 404, 'patient not found');
      expectValidationError(await reviews('PUT', clinicId, 'x', admin.token), 'patientId');
    });
  });

  describe('DeletePatientReviews — DELETE …/patients/{patientId}/reviews', () => {
    it('should deny servers, prescribers, plain users, the patient and other clinics’ admins', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      await reviews('PUT', clinicId, patient.userId, admin.token);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      await expectDenials((token) => reviews('DELETE', clinicId, patient.userId, token), {
        server: await t.tokens.server(),
        prescriber: prescriber.token,
        user: (await t.users.create()).token,
        patientThemself: patient.token,
        otherClinicAdmin: other.admin.token,
      });
      expect((await findPatientDocument(t, clinicId, patient.userId)).reviews).toHaveLength(1);
    });

    it('should revert the newest review for its author only, answering the remaining ones', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const patient = await addUserPatient(t, clinicId);
      await reviews('PUT', clinicId, patient.userId, member.token);
      await reviews('PUT', clinicId, patient.userId, admin.token);

      const refused = await reviews('DELETE', clinicId, patient.userId, member.token);
      expectError(refused, 409, 'conflict: cannot revert review from another clinician');
      expect((await findPatientDocument(t, clinicId, patient.userId)).reviews).toHaveLength(2);

      const reverted = await reviews('DELETE', clinicId, patient.userId, admin.token);
      expect(reverted.status).toBe(200);
      expect(reverted.body).toEqual([{ clinicianId: member.userId, time: expect.stringMatching(ISO_DATE_TIME) }]);

      const last = await reviews('DELETE', clinicId, patient.userId, member.token);
      expect(last.status).toBe(200);
      expect(last.body).toEqual([]);
      expect((await findPatientDocument(t, clinicId, patient.userId)).reviews).toEqual([]);

      expectError(await reviews('DELETE', clinicId, patient.userId, member.token), 404, 'patient has no reviews');
    });

    it('should answer 400 to a member server token, and 404 for a user who is not a patient', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      expectError(
        await reviews('DELETE', clinicId, patient.userId, await memberServerToken(clinicId)),
        400,
        'expected user access token',
      );
      expectError(await reviews('DELETE', clinicId, 'abcdef0123', admin.token), 404, 'patient not found');
    });
  });

  describe('SendUploadReminder — POST …/patients/{patientId}/upload_reminder', () => {
    it('should deny servers, prescribers, plain users, the patient and other clinics’ admins', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      await expectDenials((token) => remind(clinicId, patient.userId, token), {
        server: await t.tokens.server(),
        prescriber: prescriber.token,
        user: (await t.users.create()).token,
        patientThemself: patient.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await findPatientDocument(t, clinicId, patient.userId)).not.toHaveProperty('lastUploadReminderTime');
    });

    it('should record the time and answer the patient', async () => {
      const { clinicId } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const patient = await addUserPatient(t, clinicId);
      const before = Date.now();

      const res = await remind(clinicId, patient.userId, member.token);

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: patient.userId,
        lastUploadReminderTime: expect.stringMatching(ISO_DATE_TIME),
      });
      expect(Date.parse(res.body.lastUploadReminderTime)).toBeGreaterThanOrEqual(before - 5);
      const stored = await findPatientDocument(t, clinicId, patient.userId);
      expect(stored.lastUploadReminderTime).toEqual(new Date(res.body.lastUploadReminderTime));
      expect(stored.updatedTime).toEqual(stored.lastUploadReminderTime);
    });

    it('should answer 400 to a member server token, and 404 for a user who is not a patient', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      expectError(
        await remind(clinicId, patient.userId, await memberServerToken(clinicId)),
        400,
        'expected user access token',
      );
      expectError(await remind(clinicId, 'abcdef0123', admin.token), 404, 'patient not found');
    });
  });
});
