import { Types } from 'mongoose';
import { PatientsService } from '../../../src/modules/clinics/patients/patients.service';
import { addClinician, createClinic } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('a user’s patient records across clinics', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const share = (clinicId: string, userId: string, body: Record<string, unknown> = {}) =>
    t.call('POST', `/v1/clinics/${clinicId}/patients/${userId}`, {
      token: server,
      body: { permissions: { view: {} }, ...body },
    });

  describe('FindPatients — GET /v1/patients', () => {
    const find = (token: string | undefined, query: Record<string, string | number> = {}) =>
      t.call<any[]>('GET', '/v1/patients', { token, query });

    it('should deny server tokens (403 before the handler)', async () => {
      await expectDenials((token) => find(token), { server });
    });

    it('should answer 401 `expected authenticated user id` when the handler is reached without a user', async () => {
      const service = t.app.get(PatientsService);
      await expect(
        service.findPatients({ subjectId: 'orca', isServer: true }, { offset: 0, limit: 10 }),
      ).rejects.toMatchObject({
        status: 401,
        message: 'expected authenticated user id',
      });
    });

    it('should find patients of the caller’s clinics only, by MRN case-insensitively and by birth date, in name order', async () => {
      const mine = await createClinic(t, { name: 'Mine' });
      const alsoMine = await createClinic(t, { name: 'Also Mine' });
      const notMine = await createClinic(t, { name: 'Not Mine' });
      const caller = await addClinician(t, alsoMine.clinicId, ['PRESCRIBER']);
      await t.call('POST', `/v1/clinics/${mine.clinicId}/clinicians`, {
        token: server,
        body: { id: caller.userId, email: caller.email, roles: ['CLINIC_MEMBER'] },
      });
      const zed = await addUserPatient(t, mine.clinicId, {
        profile: { patient: { fullName: 'zed', mrn: 'MRN-1', birthday: '2000-01-01' } },
      });
      const amy = await addUserPatient(t, alsoMine.clinicId, {
        profile: { patient: { fullName: 'Amy', mrn: 'mrn-1', birthday: '2000-01-01' } },
      });
      await addUserPatient(t, mine.clinicId, {
        profile: { patient: { fullName: 'Bob', mrn: 'MRN-2', birthday: '2000-01-01' } },
      });
      await addUserPatient(t, notMine.clinicId, {
        profile: { patient: { fullName: 'Outside', mrn: 'MRN-1', birthday: '2000-01-01' } },
      });

      const byMrn = await find(caller.token, { mrn: 'Mrn-1' });
      expect(byMrn.status).toBe(200);
      expect(byMrn.body.map((entry) => [entry.patient.id, entry.clinic.id])).toEqual([
        [amy.userId, alsoMine.clinicId],
        [zed.userId, mine.clinicId],
      ]);
      expect(byMrn.body[0].clinic).toMatchObject({ name: 'Also Mine', shareCode: alsoMine.clinic.shareCode });
      expect(byMrn.body[0].patient).toMatchObject({ fullName: 'Amy', mrn: 'mrn-1', birthDate: '2000-01-01' });

      const all = await find(caller.token, { birthDate: '2000-01-01' });
      expect(all.body.map((entry) => entry.patient.fullName)).toEqual(['Amy', 'Bob', 'zed']);
      const page = await find(caller.token, { offset: 1, limit: 1 });
      expect(page.body.map((entry) => entry.patient.fullName)).toEqual(['Bob']);
      expect((await find(caller.token, { mrn: 'nothing' })).body).toEqual([]);
      expect((await find((await t.users.create()).token)).body).toEqual([]);
    });

    it('should narrow to one workspace by clinic id or EHR source id', async () => {
      const first = await createClinic(t);
      const second = await createClinic(t);
      await t.connection
        .collection('clinics')
        .updateOne(
          { _id: new Types.ObjectId(second.clinicId) },
          { $set: { ehrSettings: { enabled: true, sourceId: 'src-42' } } },
        );
      const caller = await addClinician(t, first.clinicId, ['CLINIC_MEMBER']);
      await t.call('POST', `/v1/clinics/${second.clinicId}/clinicians`, {
        token: server,
        body: { id: caller.userId, email: caller.email, roles: ['CLINIC_MEMBER'] },
      });
      const inFirst = await addUserPatient(t, first.clinicId);
      const inSecond = await addUserPatient(t, second.clinicId);

      const byClinic = await find(caller.token, { workspaceId: first.clinicId, workspaceIdType: 'clinicId' });
      expect(byClinic.body.map((entry) => entry.patient.id)).toEqual([inFirst.userId]);
      const bySource = await find(caller.token, { workspaceId: 'src-42', workspaceIdType: 'ehrSourceId' });
      expect(bySource.body.map((entry) => entry.patient.id)).toEqual([inSecond.userId]);
      expect((await find(caller.token, { workspaceId: 'unknown', workspaceIdType: 'ehrSourceId' })).body).toEqual([]);
    });

    it('should refuse a workspace id without its type, an unknown type and a bad page with 400', async () => {
      const user = await t.users.create();
      expectError(await find(user.token, { workspaceId: 'x' }), 400, 'bad request: workspace id type is required');
      expectValidationError(await find(user.token, { workspaceId: 'x', workspaceIdType: 'other' }), 'workspaceIdType');
      expectValidationError(await find(user.token, { limit: 0 }), 'limit');
    });
  });

  describe('ListClinicsForPatient — GET /v1/patients/{userId}/clinics', () => {
    const list = (userId: string, token: string | undefined, query: Record<string, number> = {}) =>
      t.call<any[]>('GET', `/v1/patients/${userId}/clinics`, { token, query });

    it('should deny other users and clinic admins of the patient', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      await expectDenials((token) => list(patient.userId, token), {
        admin: admin.token,
        user: (await t.users.create()).token,
      });
    });

    it('should list the patient’s records with their clinics, by the patient’s name case-insensitively', async () => {
      const first = await createClinic(t, { name: 'First' });
      const second = await createClinic(t, { name: 'Second' });
      const third = await createClinic(t, { name: 'Third' });
      const patient = await addUserPatient(t, first.clinicId, {
        body: { fullName: 'mary', permissions: { view: {} } },
      });
      await share(second.clinicId, patient.userId, { fullName: 'Anna' });
      await share(third.clinicId, patient.userId, { fullName: 'Zoe' });

      for (const token of [patient.token, server]) {
        const res = await list(patient.userId, token);
        expect(res.status).toBe(200);
        expect(res.body.map((entry) => [entry.patient.fullName, entry.clinic.name])).toEqual([
          ['Anna', 'Second'],
          ['mary', 'First'],
          ['Zoe', 'Third'],
        ]);
        expect(res.body[0].patient.id).toBe(patient.userId);
        expect(res.body[0].clinic.id).toBe(second.clinicId);
      }
      const page = await list(patient.userId, server, { offset: 1, limit: 1 });
      expect(page.body.map((entry) => entry.clinic.name)).toEqual(['First']);
    });

    it('should answer [] for a user who is nobody’s patient, and 400 for a malformed id', async () => {
      const user = await t.users.create({ roles: [] });
      const res = await list(user.userId, user.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
      expectValidationError(await list('nope', server), 'userId');
    });
  });
});
