import { Types } from 'mongoose';
import { addClinician, createClinic, findClinicDocument, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import {
  addCustodialPatient,
  addUserPatient,
  expectCountsExact,
  expectedPatientCount,
  findPatientDocuments,
  setHardLimit,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('patient counts and the patient limit (behavior-patients.md §14.2)', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const getCount = (clinicId: string, token: string | undefined) =>
    t.call<any>('GET', `/v1/clinics/${clinicId}/patient_count`, { token });
  const refresh = (clinicId: string, token: string | undefined) =>
    t.call('POST', `/v1/clinics/${clinicId}/patient_count/refresh`, { token });
  const createAccount = (clinicId: string, token: string, body: Record<string, unknown> = {}) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
      token,
      body: { fullName: 'Lim It', birthDate: '2010-10-10', ...body },
    });
  const custodialUsers = () => t.connection.collection('users').countDocuments({ custodial: true });

  describe('GetPatientCount — GET /v1/clinics/{clinicId}/patient_count', () => {
    it('should deny prescribers, plain users and other clinics’ admins', async () => {
      const { clinicId } = await createClinic(t);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      await expectDenials((token) => getCount(clinicId, token), {
        prescriber: prescriber.token,
        user: (await t.users.create()).token,
        otherClinicAdmin: other.admin.token,
      });
    });

    it('should answer zero counts for a new clinic to members and servers', async () => {
      const { clinicId } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      for (const token of [member.token, server]) {
        const res = await getCount(clinicId, token);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ total: 0, demo: 0, plan: 0 });
      }
    });

    it('should stay exact through creations, data source changes, permission removals and deletions', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const shared = await addUserPatient(t, clinicId);
      await expectCountsExact(t, clinicId);
      const custodial = await addCustodialPatient(t, clinicId, member.token, {
        dataSources: [
          { providerName: 'dexcom', state: 'connected' },
          { providerName: 'abbott', state: 'pending' },
        ],
      });
      await expectCountsExact(t, clinicId);
      const twiist = await addCustodialPatient(t, clinicId, member.token, {
        dataSources: [{ providerName: 'twiist', state: 'connected' }],
      });
      expect((await getCount(clinicId, member.token)).body).toEqual({
        total: 3,
        demo: 0,
        plan: 2,
        providers: {
          dexcom: { total: 1, states: { connected: 1 } },
          abbott: { total: 1, states: { pending: 1 } },
          twiist: { total: 1, states: { connected: 1 } },
        },
      });

      const body = { fullName: 'Cora Custodial', birthDate: '2015-06-07' };
      await t.call('PUT', `/v1/clinics/${clinicId}/patients/${twiist.id}`, {
        token: member.token,
        body: { ...body, dataSources: [{ providerName: 'dexcom', state: 'disconnected' }] },
      });
      await expectCountsExact(t, clinicId);
      await t.call('PUT', `/v1/clinics/${clinicId}/patients/${custodial.id}`, {
        token: member.token,
        body: { ...body, dataSources: [] },
      });
      await expectCountsExact(t, clinicId);
      await t.call('DELETE', `/v1/clinics/${clinicId}/patients/${shared.userId}/permissions/view`, {
        token: shared.token,
      });
      await t.call('DELETE', `/v1/clinics/${clinicId}/patients/${shared.userId}/permissions/upload`, {
        token: shared.token,
      });
      await expectCountsExact(t, clinicId);
      await t.call('DELETE', `/v1/clinics/${clinicId}/patients/${twiist.id}`, { token: admin.token });
      await expectCountsExact(t, clinicId);
      expect((await getCount(clinicId, member.token)).body).toEqual({ total: 1, demo: 0, plan: 1 });
    });

    it('should recount counts that are missing or in an older form, and store them', async () => {
      const { clinicId } = await createClinic(t);
      await addUserPatient(t, clinicId);
      await addUserPatient(t, clinicId);
      const clinics = t.connection.collection('clinics');
      await clinics.updateOne({ _id: new Types.ObjectId(clinicId) }, { $unset: { patientCount: '' } });

      expect((await getCount(clinicId, server)).body).toEqual({ total: 2, demo: 0, plan: 2 });
      expect((await findClinicDocument(t, clinicId)).patientCount).toEqual({
        total: 2,
        demo: 0,
        plan: 2,
        providers: {},
      });

      await clinics.updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { patientCount: { patientCount: 7 } } });
      expect((await getCount(clinicId, server)).body).toEqual({ total: 2, demo: 0, plan: 2 });
      // Later changes are counted on top of the recount.
      await addUserPatient(t, clinicId);
      await expectCountsExact(t, clinicId);
    });

    it('should answer 404 to a server for a missing clinic, and 400 for a malformed id', async () => {
      expectError(await getCount(newObjectId(), server), 404, 'clinic not found');
      expectValidationError(await getCount('nope', server), 'clinicId');
    });
  });

  describe('RefreshPatientCount — POST /v1/clinics/{clinicId}/patient_count/refresh', () => {
    it('should deny admins, members and plain users', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      await expectDenials((token) => refresh(clinicId, token), {
        admin: admin.token,
        member: member.token,
        user: (await t.users.create()).token,
      });
    });

    it('should recompute and store the counts, answering 200 with an empty body', async () => {
      const { clinicId, admin } = await createClinic(t);
      await addCustodialPatient(t, clinicId, admin.token, {
        dataSources: [{ providerName: 'dexcom', state: 'connected' }],
      });
      await addUserPatient(t, clinicId);
      // Wrong counts whose values equal the right ones under other keys (FerretDB compares sub-documents
      // by value only): the refresh must still replace them.
      await t.connection.collection('clinics').updateOne(
        { _id: new Types.ObjectId(clinicId) },
        {
          $set: {
            patientCount: {
              total: 2,
              demo: 0,
              plan: 2,
              providers: { abbott: { total: 1, states: { connected: 1 } } },
            },
          },
        },
      );

      const res = await refresh(clinicId, server);

      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect((await findClinicDocument(t, clinicId)).patientCount).toEqual({
        total: 2,
        demo: 0,
        plan: 2,
        providers: { dexcom: { total: 1, states: { connected: 1 } } },
      });
      await expectCountsExact(t, clinicId);
    });

    it('should answer 404 for a missing clinic', async () => {
      expectError(await refresh(newObjectId(), server), 404, 'clinic not found');
    });
  });

  describe('hard limit', () => {
    it('should refuse a custodial creation at the limit with 402, creating no account', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setHardLimit(t, clinicId, { plan: 2 });
      await addCustodialPatient(t, clinicId, admin.token);
      await addCustodialPatient(t, clinicId, admin.token);
      const before = await custodialUsers();

      const res = await createAccount(clinicId, admin.token, { email: 'over.limit@example.com' });

      expectError(res, 402, 'payment required: patient count exceeds limit');
      expect(await findPatientDocuments(t, clinicId)).toHaveLength(2);
      expect(await custodialUsers()).toBe(before);
      await expectCountsExact(t, clinicId);
    });

    it('should always let users share their own account, and not count twiist patients towards the plan', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setHardLimit(t, clinicId, { plan: 1 });
      await addCustodialPatient(t, clinicId, admin.token, {
        dataSources: [{ providerName: 'twiist', state: 'connected' }],
      });
      await addCustodialPatient(t, clinicId, admin.token);
      await addUserPatient(t, clinicId);
      await addUserPatient(t, clinicId);

      expect((await getCount(clinicId, server)).body).toMatchObject({ total: 4, plan: 3 });
      expectError(await createAccount(clinicId, admin.token), 402, 'payment required: patient count exceeds limit');
    });

    it('should not limit outside the limit’s window, outside the US or on a paid tier', async () => {
      const future = new Date(Date.now() + 86_400_000).toISOString();
      const past = new Date(Date.now() - 86_400_000).toISOString();
      const notStarted = await createClinic(t);
      await setHardLimit(t, notStarted.clinicId, { plan: 0, startDate: future });
      const ended = await createClinic(t);
      await setHardLimit(t, ended.clinicId, { plan: 0, endDate: past });
      const canadian = await createClinic(t, { country: 'CA' });
      await setHardLimit(t, canadian.clinicId, { plan: 0 });
      const paid = await createClinic(t);
      await setHardLimit(t, paid.clinicId, { plan: 0 });
      await t.call('POST', `/v1/clinics/${paid.clinicId}/tier`, { token: server, body: { tier: 'tier0200' } });
      const active = await createClinic(t);
      await setHardLimit(t, active.clinicId, { plan: 0, startDate: past, endDate: future });

      for (const clinic of [notStarted, ended, canadian, paid]) {
        expect((await createAccount(clinic.clinicId, clinic.admin.token)).status).toBe(200);
      }
      expectError(
        await createAccount(active.clinicId, active.admin.token),
        402,
        'payment required: patient count exceeds limit',
      );
    });

    it('should let exactly one of 20 concurrent custodial creations at limit − 1 succeed', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setHardLimit(t, clinicId, { plan: 3 });
      await addCustodialPatient(t, clinicId, admin.token);
      await addCustodialPatient(t, clinicId, admin.token);
      const before = await custodialUsers();

      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, index) => createAccount(clinicId, admin.token, { fullName: `Racer ${index}` })),
      );

      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      for (const res of answers.filter((answer) => answer.status !== 200)) {
        expectError(res, 402, 'payment required: patient count exceeds limit');
      }
      const documents = await findPatientDocuments(t, clinicId);
      expect(documents).toHaveLength(3);
      expect((await findClinicDocument(t, clinicId)).patientCount).toMatchObject({ total: 3, plan: 3 });
      expect(await expectedPatientCount(t, clinicId)).toMatchObject({ total: 3, plan: 3 });
      expect(await custodialUsers()).toBe(before + 1);
      console.log(
        `20 concurrent CreatePatientAccount at limit − 1 (plan limit 3): ${JSON.stringify(countBy(statuses))}, ` +
          `${documents.length} patient documents, stored plan count ${(await findClinicDocument(t, clinicId)).patientCount.plan}, ` +
          `${(await custodialUsers()) - before} custodial account kept`,
      );
    });
  });
});

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
