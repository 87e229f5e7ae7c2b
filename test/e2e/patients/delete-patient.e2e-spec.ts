import { PatientDeletionsWriter } from '../../../src/modules/clinics/deletions/patient-deletions.writer';
import { addClinician, createClinic } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import {
  addUserPatient,
  expectCountsExact,
  findPatientArchives,
  findPatientDocument,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('DeletePatient — DELETE /v1/clinics/{clinicId}/patients/{patientId}', () => {
  const t = useTestApp();

  const remove = (clinicId: string, userId: string, token: string | undefined) =>
    t.call('DELETE', `/v1/clinics/${clinicId}/patients/${userId}`, { token });

  it('should deny members, servers, other users and other clinics’ admins, deleting nothing', async () => {
    const { clinicId } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const other = await createClinic(t);
    const outsider = await t.users.create();
    await expectDenials((token) => remove(clinicId, patient.userId, token), {
      member: member.token,
      server: await t.tokens.server(),
      user: outsider.token,
      otherClinicAdmin: other.admin.token,
    });
    expect(await findPatientDocument(t, clinicId, patient.userId)).not.toBeNull();
    expect(await findPatientArchives(t, patient.userId)).toEqual([]);
  });

  it('should archive and delete the record for an admin, recording who deleted it', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    await addUserPatient(t, clinicId);
    const before = await findPatientDocument(t, clinicId, patient.userId);

    const res = await remove(clinicId, patient.userId, admin.token);

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await findPatientDocument(t, clinicId, patient.userId)).toBeNull();
    expect(await findPatientArchives(t, patient.userId)).toEqual([
      { _id: before._id, deletedTime: expect.any(Date), deletedByUserId: admin.userId, patient: before },
    ]);
    await expectCountsExact(t, clinicId);
    expectError(await remove(clinicId, patient.userId, admin.token), 404, 'patient not found');
  });

  it('should let the patient remove themself', async () => {
    const { clinicId } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);

    const res = await remove(clinicId, patient.userId, patient.token);

    expect(res.status).toBe(204);
    expect(await findPatientDocument(t, clinicId, patient.userId)).toBeNull();
    expect((await findPatientArchives(t, patient.userId))[0].deletedByUserId).toBe(patient.userId);
    await expectCountsExact(t, clinicId);
  });

  it('should fail and delete nothing when the archive cannot be written, and succeed on retry with one archive', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const spy = jest
      .spyOn(PatientDeletionsWriter.prototype, 'archivePatient')
      .mockRejectedValueOnce(new Error('disk full'));

    const failed = await remove(clinicId, patient.userId, admin.token);

    expectError(failed, 500, 'Internal Server Error');
    expect(await findPatientDocument(t, clinicId, patient.userId)).not.toBeNull();
    expect(await findPatientArchives(t, patient.userId)).toEqual([]);
    await expectCountsExact(t, clinicId);
    spy.mockRestore();

    expect((await remove(clinicId, patient.userId, admin.token)).status).toBe(204);
    expect(await findPatientArchives(t, patient.userId)).toHaveLength(1);
  });

  it('should answer 404 for a user who is not a patient, and 400 for a malformed id', async () => {
    const { clinicId, admin } = await createClinic(t);
    expectError(await remove(clinicId, 'abcdef0123', admin.token), 404, 'patient not found');
    expectValidationError(await remove(clinicId, 'NOT-AN-ID', admin.token), 'patientId');
  });
});
