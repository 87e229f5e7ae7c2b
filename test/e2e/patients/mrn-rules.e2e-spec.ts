import { Types } from 'mongoose';
import { createClinic } from '../../support/builders';
import { expectError } from '../../support/expect-error';
import {
  addCustodialPatient,
  addUserPatient,
  expectCountsExact,
  findPatientDocument,
  findPatientDocuments,
  setMrnSettings,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';

describe('MRN rules (behavior-patients.md §14.1)', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const custodialUsers = () => t.connection.collection('users').countDocuments({ custodial: true });
  const createAccount = (clinicId: string, token: string, body: Record<string, unknown> = {}) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
      token,
      body: { fullName: 'Mia Mrn', birthDate: '2010-10-10', ...body },
    });
  const update = (clinicId: string, userId: string, token: string, body: Record<string, unknown> = {}) =>
    t.call<any>('PUT', `/v1/clinics/${clinicId}/patients/${userId}`, {
      token,
      body: { fullName: 'Mia Mrn', birthDate: '2010-10-10', ...body },
    });

  describe('required', () => {
    it('should refuse a creation without an MRN (or a blank one) with 400, creating no account', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setMrnSettings(t, clinicId, true, false);
      const before = await custodialUsers();

      expectError(await createAccount(clinicId, admin.token), 400, 'bad request: mrn is required');
      expectError(await createAccount(clinicId, admin.token, { mrn: '   ' }), 400, 'bad request: mrn is required');
      const user = await t.users.create({ roles: [] });
      expectError(
        await t.call('POST', `/v1/clinics/${clinicId}/patients/${user.userId}`, { token: server, body: {} }),
        400,
        'bad request: mrn is required',
      );

      expect(await findPatientDocuments(t, clinicId)).toEqual([]);
      expect(await custodialUsers()).toBe(before);
      expect((await createAccount(clinicId, admin.token, { mrn: 'R-1' })).status).toBe(200);
    });

    it('should refuse an update that removes the MRN, changing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setMrnSettings(t, clinicId, true, false);
      const patient = await addCustodialPatient(t, clinicId, admin.token, { mrn: 'KEEP' });
      const before = await findPatientDocument(t, clinicId, patient.id);

      expectError(await update(clinicId, patient.id, admin.token), 400, 'bad request: mrn is required');
      expect(await findPatientDocument(t, clinicId, patient.id)).toEqual(before);
    });
  });

  describe('unique', () => {
    it('should refuse an MRN another patient of the clinic has, compared trimmed and case-insensitively', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setMrnSettings(t, clinicId, false, true);
      const first = await createAccount(clinicId, admin.token, { mrn: 'ABC-1' });
      expect(first.status).toBe(200);
      expect(await findPatientDocument(t, clinicId, first.body.id)).toMatchObject({
        requireUniqueMrn: true,
        mrnLower: 'abc-1',
        mrnKey: `${clinicId}:abc-1`,
      });
      const before = await custodialUsers();

      expectError(
        await createAccount(clinicId, admin.token, { mrn: ' abc-1 ' }),
        400,
        'bad request: mrn must be unique',
      );
      const user = await t.users.create({ roles: [] });
      expectError(
        await t.call('POST', `/v1/clinics/${clinicId}/patients/${user.userId}`, {
          token: server,
          body: { mrn: 'Abc-1' },
        }),
        400,
        'bad request: mrn must be unique',
      );
      expect(await findPatientDocuments(t, clinicId)).toHaveLength(1);
      expect(await custodialUsers()).toBe(before);
      // Other clinics are not concerned.
      const other = await createClinic(t);
      await setMrnSettings(t, other.clinicId, false, true);
      expect((await createAccount(other.clinicId, other.admin.token, { mrn: 'ABC-1' })).status).toBe(200);
    });

    it('should let a patient keep their own MRN on update, and refuse taking another patient’s', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setMrnSettings(t, clinicId, false, true);
      const one = await addCustodialPatient(t, clinicId, admin.token, { mrn: 'ONE' });
      const two = await addCustodialPatient(t, clinicId, admin.token, { mrn: 'TWO' });

      expect((await update(clinicId, one.id, admin.token, { mrn: 'one' })).status).toBe(200);
      const before = await findPatientDocument(t, clinicId, two.id);
      expectError(await update(clinicId, two.id, admin.token, { mrn: 'ONE' }), 400, 'bad request: mrn must be unique');
      expect(await findPatientDocument(t, clinicId, two.id)).toEqual(before);
    });

    it('should allow the same MRN twice when the clinic does not require unique MRNs, without a unique key', async () => {
      const { clinicId, admin } = await createClinic(t);
      const one = await addCustodialPatient(t, clinicId, admin.token, { mrn: 'SAME' });
      const two = await addCustodialPatient(t, clinicId, admin.token, { mrn: 'SAME' });
      for (const patient of [one, two]) {
        const stored = await findPatientDocument(t, clinicId, patient.id);
        expect(stored).toMatchObject({ requireUniqueMrn: false, mrnLower: 'same' });
        expect(stored).not.toHaveProperty('mrnKey');
      }
    });

    it('should refuse through the unique index what the check cannot see (a create and an update)', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setMrnSettings(t, clinicId, false, true);
      // Holds the unique key but not the lower-cased copy the check reads, as a concurrent writer on
      // another instance would between the check and the write.
      await t.connection.collection('patients').insertOne({
        clinicId: new Types.ObjectId(clinicId),
        userId: 'bbbbbbbbbb',
        fullNameKey: '',
        mrnKey: `${clinicId}:hidden`,
        createdTime: new Date(),
        updatedTime: new Date(),
      });
      const patient = await addCustodialPatient(t, clinicId, admin.token, { mrn: 'VISIBLE' });
      const before = await findPatientDocument(t, clinicId, patient.id);

      expectError(
        await createAccount(clinicId, admin.token, { mrn: 'HIDDEN' }),
        400,
        'bad request: mrn must be unique',
      );
      expectError(
        await update(clinicId, patient.id, admin.token, { mrn: 'Hidden' }),
        400,
        'bad request: mrn must be unique',
      );

      expect(await findPatientDocuments(t, clinicId)).toHaveLength(2);
      expect(await findPatientDocument(t, clinicId, patient.id)).toEqual(before);
    });

    it('should let exactly one of 10 concurrent creations with the same MRN succeed', async () => {
      const { clinicId, admin } = await createClinic(t);
      await setMrnSettings(t, clinicId, false, true);
      const before = await custodialUsers();

      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, index) =>
          createAccount(clinicId, admin.token, { mrn: index % 2 ? 'race-7' : 'RACE-7', fullName: `Racer ${index}` }),
        ),
      );

      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      for (const res of answers.filter((answer) => answer.status !== 200)) {
        expectError(res, 400, 'bad request: mrn must be unique');
      }
      const documents = await findPatientDocuments(t, clinicId);
      expect(documents).toHaveLength(1);
      // The nine refused accounts were removed again.
      expect(await custodialUsers()).toBe(before + 1);
      await expectCountsExact(t, clinicId);
      console.log(
        `10 concurrent CreatePatientAccount with one MRN: ${JSON.stringify(countBy(statuses))}, ` +
          `${documents.length} patient document, ${(await custodialUsers()) - before} custodial account kept`,
      );
    });

    it('should let exactly one of 10 concurrent CreatePatientFromUser with the same MRN succeed', async () => {
      const { clinicId } = await createClinic(t);
      await setMrnSettings(t, clinicId, false, true);
      const users = await Promise.all(Array.from({ length: 10 }, () => t.users.create({ roles: [] })));

      const answers = await Promise.all(
        users.map((user) =>
          t.call('POST', `/v1/clinics/${clinicId}/patients/${user.userId}`, {
            token: server,
            body: { mrn: 'SHARED-9', permissions: { view: {} } },
          }),
        ),
      );

      const statuses = answers.map((res) => res.status);
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400)).toHaveLength(9);
      expect(await findPatientDocuments(t, clinicId)).toHaveLength(1);
      await expectCountsExact(t, clinicId);
    });
  });

  it('should keep a user patient’s MRN from the profile under the unique rule', async () => {
    const { clinicId } = await createClinic(t);
    await setMrnSettings(t, clinicId, true, true);
    const patient = await addUserPatient(t, clinicId, {
      profile: { patient: { mrn: 'PROF-1', birthday: '2000-01-01' } },
    });
    expect(patient.patient.mrn).toBe('PROF-1');
    expect(await findPatientDocument(t, clinicId, patient.userId)).toMatchObject({ mrnKey: `${clinicId}:prof-1` });
  });
});

function countBy(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
