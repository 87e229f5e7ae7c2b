import { Types } from 'mongoose';
import { clinicsConfig, ClinicsConfig } from '../../../src/config/clinics.config';
import { createClinic, findClinicDocument } from '../../support/builders';
import { expectError } from '../../support/expect-error';
import {
  addUserPatient,
  expectCountsExact,
  findPatientArchives,
  findPatientDocument,
  findPatientDocuments,
  setHardLimit,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';

describe('the demo patient (DEMO_PATIENT_USER_ID, behavior-clinics.md §1.3, §1.8)', () => {
  const t = useTestApp({ override: (builder) => builder.overrideProvider(clinicsConfig.KEY).useValue(config) });
  let server: string;
  /** Read by the service on every use, so the tests can point it at a user they create. */
  const config: ClinicsConfig = { demoPatientUserId: undefined };
  let demoUserId: string;

  beforeAll(async () => {
    server = await t.tokens.server();
    const demo = await t.users.create({
      email: 'Demo.Patient@Example.com',
      fullName: 'Demo Account',
      roles: [],
      profile: {
        fullName: 'Demo Profile',
        patient: { fullName: 'Demo Patient', birthday: '1990-09-09', targetDevices: ['cgm'] },
      },
    });
    demoUserId = demo.userId;
    config.demoPatientUserId = demoUserId;
  });

  const deleteClinic = (clinicId: string, token: string) => t.call('DELETE', `/v1/clinics/${clinicId}`, { token });

  it('should add the demo user to every new clinic as a view-only patient, counted as demo', async () => {
    const { clinicId, admin } = await createClinic(t);

    const stored = await findPatientDocument(t, clinicId, demoUserId);
    expect(stored).toMatchObject({
      userId: demoUserId,
      fullName: 'Demo Patient',
      birthDate: '1990-09-09',
      email: 'demo.patient@example.com',
      targetDevices: ['cgm'],
      permissions: { view: {} },
      isMigrated: true,
      requireUniqueMrn: false,
    });
    expect((await findClinicDocument(t, clinicId)).patientCount).toEqual({ total: 1, demo: 1, plan: 0 });
    const count = await t.call('GET', `/v1/clinics/${clinicId}/patient_count`, { token: admin.token });
    expect(count.body).toEqual({ total: 1, demo: 1, plan: 0 });
    await expectCountsExact(t, clinicId, demoUserId);
  });

  it('should keep the demo patient out of the plan count and the limit, through updates and refreshes', async () => {
    const { clinicId, admin } = await createClinic(t);
    await setHardLimit(t, clinicId, { plan: 1 });
    await t.call('PUT', `/v1/clinics/${clinicId}/patients/${demoUserId}`, {
      token: admin.token,
      body: {
        fullName: 'Demo',
        birthDate: '1990-09-09',
        dataSources: [{ providerName: 'dexcom', state: 'connected' }],
      },
    });
    await expectCountsExact(t, clinicId, demoUserId);
    expect((await t.call('POST', `/v1/clinics/${clinicId}/patient_count/refresh`, { token: server })).status).toBe(200);
    expect((await findClinicDocument(t, clinicId)).patientCount).toEqual({ total: 1, demo: 1, plan: 0, providers: {} });

    const custodial = await t.call('POST', `/v1/clinics/${clinicId}/patients`, {
      token: admin.token,
      body: { fullName: 'First Plan', birthDate: '2000-01-01' },
    });
    expect(custodial.status).toBe(200);
    await expectCountsExact(t, clinicId, demoUserId);
  });

  it('should let DeleteClinic delete a clinic whose only patient is the demo patient, archiving it', async () => {
    const { clinicId, admin } = await createClinic(t);
    const demo = await findPatientDocument(t, clinicId, demoUserId);

    const res = await deleteClinic(clinicId, admin.token);

    expect(res.status).toBe(204);
    expect(await findClinicDocument(t, clinicId)).toBeNull();
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
    const archives = await findPatientArchives(t, demoUserId);
    expect(archives.filter((archive) => archive._id.equals(demo._id))).toEqual([
      { _id: demo._id, deletedTime: expect.any(Date), deletedByUserId: admin.userId, patient: demo },
    ]);
  });

  it('should refuse to delete a clinic that has a patient besides the demo patient, deleting nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);

    expectError(
      await deleteClinic(clinicId, admin.token),
      400,
      'bad request: deletion of non-empty clinics is not allowed',
    );

    expect(await findClinicDocument(t, clinicId)).not.toBeNull();
    expect(await findPatientDocuments(t, clinicId)).toHaveLength(2);
    expect(await findPatientArchives(t, patient.userId)).toEqual([]);
  });

  it('should refuse to delete a clinic whose only patient is not the demo patient', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    await t.connection.collection('patients').deleteOne({ clinicId: new Types.ObjectId(clinicId), userId: demoUserId });

    expectError(
      await deleteClinic(clinicId, admin.token),
      400,
      'bad request: deletion of non-empty clinics is not allowed',
    );
    expect(await findPatientDocument(t, clinicId, patient.userId)).not.toBeNull();
  });

  it('should fail CreateClinic with 500 when the configured demo user does not exist, leaving no clinic', async () => {
    const user = await t.users.create();
    const clinicsBefore = await t.connection.collection('clinics').countDocuments();
    config.demoPatientUserId = 'ffffffffff';
    try {
      const res = await t.call('POST', '/v1/clinics', {
        token: user.token,
        body: { name: 'No Demo', preferredBgUnits: 'mg/dL' },
      });
      expectError(res, 500, 'Internal Server Error');
    } finally {
      config.demoPatientUserId = demoUserId;
    }
    expect(await t.connection.collection('clinics').countDocuments()).toBe(clinicsBefore);
  });
});
