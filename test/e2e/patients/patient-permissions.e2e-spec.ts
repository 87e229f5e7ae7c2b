import { addClinician, createClinic } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import {
  addCustodialPatient,
  addUserPatient,
  expectCountsExact,
  findPatientArchives,
  findPatientDocument,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('patient permissions', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  describe('UpdatePatientPermissions — PUT /v1/clinics/{clinicId}/patients/{patientId}/permissions', () => {
    const put = (clinicId: string, userId: string, token: string | undefined, body?: unknown) =>
      t.call<any>('PUT', `/v1/clinics/${clinicId}/patients/${userId}/permissions`, { token, body });

    it('should deny everyone but the patient: admins, members, servers, other users', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const outsider = await t.users.create();
      const before = await findPatientDocument(t, clinicId, patient.userId);
      await expectDenials((token) => put(clinicId, patient.userId, token, { view: {} }), {
        admin: admin.token,
        member: member.token,
        server,
        user: outsider.token,
      });
      expect(await findPatientDocument(t, clinicId, patient.userId)).toEqual(before);
    });

    it('should replace the permissions, discarding contents, unknown keys and custodian', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);

      const res = await put(clinicId, patient.userId, patient.token, {
        note: { why: 'x' },
        custodian: {},
        view: {},
        admin: {},
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ view: {}, note: {} });
      expect((await findPatientDocument(t, clinicId, patient.userId)).permissions).toEqual({ view: {}, note: {} });
    });

    it.each([
      ['an empty object', {}],
      ['custodian alone', { custodian: {} }],
      ['no body', undefined],
    ])('should remove the patient for %s, answering 204', async (_case, body) => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const before = await findPatientDocument(t, clinicId, patient.userId);

      const res = await put(clinicId, patient.userId, patient.token, body);

      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await findPatientDocument(t, clinicId, patient.userId)).toBeNull();
      expect(await findPatientArchives(t, patient.userId)).toEqual([
        { _id: before._id, deletedTime: expect.any(Date), deletedByUserId: patient.userId, patient: before },
      ]);
      await expectCountsExact(t, clinicId);
    });

    it('should refuse a permission that is not an object with 400, changing nothing', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      expectValidationError(await put(clinicId, patient.userId, patient.token, { view: 'yes' }), 'view');
      expect((await findPatientDocument(t, clinicId, patient.userId)).permissions).toEqual({ view: {}, upload: {} });
    });

    it('should answer 404 when the user is not a patient of the clinic', async () => {
      const { clinicId } = await createClinic(t);
      const user = await t.users.create({ roles: [] });
      expectError(await put(clinicId, user.userId, user.token, { view: {} }), 404, 'patient not found');
      expectError(await put(clinicId, user.userId, user.token, {}), 404, 'patient not found');
    });
  });

  describe('DeletePatientPermission — DELETE /v1/clinics/{clinicId}/patients/{patientId}/permissions/{permission}', () => {
    const revoke = (clinicId: string, userId: string, permission: string, token: string | undefined) =>
      t.call('DELETE', `/v1/clinics/${clinicId}/patients/${userId}/permissions/${permission}`, { token });

    it('should deny admins, members, other users, and servers for anything but custodian', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const outsider = await t.users.create();
      await expectDenials((token) => revoke(clinicId, patient.userId, 'upload', token), {
        admin: admin.token,
        member: member.token,
        server,
        user: outsider.token,
      });
      expect((await findPatientDocument(t, clinicId, patient.userId)).permissions).toEqual({ view: {}, upload: {} });
    });

    it('should let the patient revoke one permission, and remove the patient with the last one', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);

      const first = await revoke(clinicId, patient.userId, 'upload', patient.token);
      expect(first.status).toBe(204);
      expect((await findPatientDocument(t, clinicId, patient.userId)).permissions).toEqual({ view: {} });

      expectError(await revoke(clinicId, patient.userId, 'upload', patient.token), 404, 'permission not found');

      const last = await revoke(clinicId, patient.userId, 'view', patient.token);
      expect(last.status).toBe(204);
      expect(await findPatientDocument(t, clinicId, patient.userId)).toBeNull();
      const [archive] = await findPatientArchives(t, patient.userId);
      expect(archive).toMatchObject({ deletedByUserId: patient.userId, patient: { permissions: {} } });
      await expectCountsExact(t, clinicId);
    });

    it('should let a server revoke custodian, keeping the patient while other permissions remain', async () => {
      const { clinicId, admin } = await createClinic(t);
      const custodial = await addCustodialPatient(t, clinicId, admin.token);

      const res = await revoke(clinicId, custodial.id, 'custodian', server);

      expect(res.status).toBe(204);
      expect((await findPatientDocument(t, clinicId, custodial.id)).permissions).toEqual({
        view: {},
        upload: {},
        note: {},
      });
      expectError(await revoke(clinicId, custodial.id, 'custodian', server), 404, 'permission not found');
    });

    it('should answer 404 `permission not found` for a user who is not a patient, and 400 for an unknown permission', async () => {
      const { clinicId } = await createClinic(t);
      const user = await t.users.create({ roles: [] });
      expectError(await revoke(clinicId, user.userId, 'view', user.token), 404, 'permission not found');
      expectValidationError(await revoke(clinicId, user.userId, 'admin', user.token), 'permission');
    });
  });
});
