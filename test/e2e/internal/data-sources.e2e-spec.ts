import { Types } from 'mongoose';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import {
  addUserPatient,
  expectCountsExact,
  findPatientDocument,
  findPatientDocuments,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('Data sources — UpdatePatientDataSources, ConnectProvider', () => {
  const t = useTestApp();

  const putSources = (userId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('PUT', `/v1/patients/${userId}/data_sources`, { token, body });
  const connect = (clinicId: string, userId: string, provider: string, token: string | undefined) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients/${userId}/connect/${provider}`, { token });
  /** Stores data sources straight in the record, then has the counts recomputed (RefreshPatientCount). */
  const setSources = async (clinicId: string, userId: string, dataSources: unknown) => {
    await t.connection
      .collection('patients')
      .updateOne({ clinicId: new Types.ObjectId(clinicId), userId }, { $set: { dataSources } });
    const refreshed = await t.call('POST', `/v1/clinics/${clinicId}/patient_count/refresh`, {
      token: await t.tokens.server(),
    });
    expect(refreshed.status).toBe(200);
  };

  describe('UpdatePatientDataSources', () => {
    it('should deny user tokens, the patient and clinic admins included, writing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const outsider = await t.users.create();
      await expectDenials(
        (token) => putSources(patient.userId, token, [{ providerName: 'dexcom', state: 'connected' }]),
        { admin: admin.token, patientThemself: patient.token, user: outsider.token },
      );
      expect((await findPatientDocument(t, clinicId, patient.userId)).dataSources).toBeUndefined();
    });

    it('should replace the data sources on the user’s record in every clinic and update the counts', async () => {
      const first = await createClinic(t);
      const second = await createClinic(t);
      const patient = await addUserPatient(t, first.clinicId);
      const res = await t.call('POST', `/v1/clinics/${second.clinicId}/patients/${patient.userId}`, {
        token: await t.tokens.server(),
        body: { permissions: { view: {} } },
      });
      expect(res.status).toBe(200);
      const bystander = await addUserPatient(t, first.clinicId);
      await setSources(first.clinicId, patient.userId, [{ providerName: 'abbott', state: 'error' }]);
      await expectCountsExact(t, first.clinicId);

      const sources = [
        {
          providerName: 'dexcom',
          state: 'connected',
          dataSourceId: newObjectId(),
          modifiedTime: '2024-05-01T10:00:00.000Z',
          expirationTime: '2024-06-01T10:00:00.000Z',
          latestDataTime: '2024-05-02T10:00:00.000Z',
        },
        { providerName: 'twiist', state: 'pending', unknownField: 'dropped' },
      ];
      const put = await putSources(patient.userId, await t.tokens.server(), sources);
      expect(put.status).toBe(200);
      expect(put.text).toBe('');
      for (const clinicId of [first.clinicId, second.clinicId]) {
        const doc = await findPatientDocument(t, clinicId, patient.userId);
        expect(doc.dataSources).toEqual([
          {
            providerName: 'dexcom',
            state: 'connected',
            dataSourceId: new Types.ObjectId(sources[0].dataSourceId),
            modifiedTime: new Date('2024-05-01T10:00:00.000Z'),
            expirationTime: new Date('2024-06-01T10:00:00.000Z'),
            latestDataTime: new Date('2024-05-02T10:00:00.000Z'),
          },
          { providerName: 'twiist', state: 'pending' },
        ]);
        await expectCountsExact(t, clinicId);
      }
      expect((await findPatientDocument(t, first.clinicId, bystander.userId)).dataSources).toBeUndefined();
      const got = await t.call<any>('GET', `/v1/clinics/${first.clinicId}/patients/${patient.userId}`, {
        token: first.admin.token,
      });
      expect(got.body.dataSources).toEqual([
        {
          providerName: 'dexcom',
          state: 'connected',
          dataSourceId: sources[0].dataSourceId,
          modifiedTime: '2024-05-01T10:00:00.000Z',
          expirationTime: '2024-06-01T10:00:00.000Z',
          latestDataTime: '2024-05-02T10:00:00.000Z',
        },
        { providerName: 'twiist', state: 'pending' },
      ]);

      // No body removes them.
      expect((await putSources(patient.userId, await t.tokens.server())).status).toBe(200);
      expect((await findPatientDocument(t, first.clinicId, patient.userId)).dataSources).toBeNull();
      await expectCountsExact(t, first.clinicId);
    });

    it('should answer 200 for a user who is nobody’s patient', async () => {
      const res = await putSources('0123456789', await t.tokens.server(), [{ providerName: 'x', state: 'pending' }]);
      expect(res.status).toBe(200);
    });

    it('should refuse malformed data sources with 400, writing nothing', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const server = await t.tokens.server();
      const before = await findPatientDocuments(t, clinicId);
      expectValidationError(
        await putSources(patient.userId, server, [{ providerName: 'dexcom', state: 'on' }]),
        'body[0].state',
      );
      expectValidationError(await putSources(patient.userId, server, [{ state: 'pending' }]), 'body[0].providerName');
      expectValidationError(
        await putSources(patient.userId, server, [{ providerName: 'p'.repeat(101), state: 'pending' }]),
        'body[0].providerName',
      );
      expectValidationError(
        await putSources(patient.userId, server, [
          { providerName: 'dexcom', state: 'pending' },
          { providerName: 'abbott', state: 'pending', modifiedTime: 'yesterday' },
        ]),
        'body[1].modifiedTime',
      );
      expectValidationError(await putSources(patient.userId, server, { providerName: 'dexcom' }), 'body');
      expectValidationError(await putSources(patient.userId, server, ['dexcom']), 'body[0]');
      expectValidationError(await putSources('not-a-user', server, []), 'userId');
      expect(await findPatientDocuments(t, clinicId)).toEqual(before);
    });
  });

  describe('ConnectProvider', () => {
    it('should deny prescribers, plain users, the patient themself and other clinics’ admins', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      await setSources(clinicId, patient.userId, [{ providerName: 'dexcom', state: 'disconnected' }]);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      const before = await findPatientDocument(t, clinicId, patient.userId);
      await expectDenials((token) => connect(clinicId, patient.userId, 'dexcom', token), {
        prescriber: prescriber.token,
        user: outsider.token,
        patientThemself: patient.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await findPatientDocument(t, clinicId, patient.userId)).toEqual(before);
    });

    it('should make a never-connected data source pending for 30 days and record the request first', async () => {
      const { clinicId } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const patient = await addUserPatient(t, clinicId);
      const earlier = { providerName: 'dexcom', createdTime: new Date('2024-01-01T00:00:00.000Z') };
      await setSources(clinicId, patient.userId, [
        { providerName: 'abbott', state: 'connected' },
        { providerName: 'dexcom', state: 'disconnected' },
      ]);
      await t.connection
        .collection('patients')
        .updateOne(
          { clinicId: new Types.ObjectId(clinicId), userId: patient.userId },
          { $set: { providerConnectionRequests: { dexcom: [earlier] } } },
        );
      const start = Date.now();
      const res = await connect(clinicId, patient.userId, 'dexcom', member.token);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const doc = await findPatientDocument(t, clinicId, patient.userId);
      expect(doc.dataSources[0]).toEqual({ providerName: 'abbott', state: 'connected' });
      expect(doc.dataSources[1]).toEqual({
        providerName: 'dexcom',
        state: 'pending',
        expirationTime: expect.any(Date),
      });
      const expires = doc.dataSources[1].expirationTime.getTime();
      expect(expires).toBeGreaterThanOrEqual(start + 30 * DAY_MS - 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 30 * DAY_MS + 1000);
      expect(doc.providerConnectionRequests.dexcom).toEqual([
        { providerName: 'dexcom', createdTime: expect.any(Date) },
        earlier,
      ]);
      await expectCountsExact(t, clinicId);

      const got = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients/${patient.userId}`, {
        token: member.token,
      });
      expect(got.body.connectionRequests.dexcom).toHaveLength(2);
      expect(got.body.connectionRequests.abbott).toEqual([]);
    });

    it('should make a previously connected data source pendingReconnect', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const modified = new Date('2024-03-03T00:00:00.000Z');
      await setSources(clinicId, patient.userId, [
        { providerName: 'twiist', state: 'connected', modifiedTime: modified },
      ]);
      const res = await connect(clinicId, patient.userId, 'twiist', await t.tokens.server());
      expect(res.status).toBe(204);
      const doc = await findPatientDocument(t, clinicId, patient.userId);
      expect(doc.dataSources[0].state).toBe('pendingReconnect');
      expect(doc.dataSources[0].modifiedTime.getTime()).toBeGreaterThan(modified.getTime());
      expect(doc.dataSources[0].expirationTime.getTime() - doc.dataSources[0].modifiedTime.getTime()).toBe(30 * DAY_MS);
      expect(doc.providerConnectionRequests).toEqual({
        twiist: [{ providerName: 'twiist', createdTime: expect.any(Date) }],
      });
      await expectCountsExact(t, clinicId);
    });

    it('should answer 404 without a data source of the provider or a patient, and 400 for an unknown provider', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      await setSources(clinicId, patient.userId, [{ providerName: 'abbott', state: 'connected' }]);
      const before = await findPatientDocument(t, clinicId, patient.userId);
      expectError(await connect(clinicId, patient.userId, 'dexcom', admin.token), 404, 'patient not found');
      expectError(await connect(clinicId, '0123456789', 'dexcom', admin.token), 404, 'patient not found');
      expectValidationError(await connect(clinicId, patient.userId, 'fitbit', admin.token), 'providerId');
      expect(await findPatientDocument(t, clinicId, patient.userId)).toEqual(before);
    });
  });
});
