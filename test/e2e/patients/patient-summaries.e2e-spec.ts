import { createClinic } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import {
  addUserPatient,
  cgmPeriod,
  expectCountsExact,
  findPatientDocument,
  summaryId,
  summaryStats,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('patient summaries (behavior-patients.md §15)', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const updateSummary = (userId: string, token: string | undefined, body?: unknown) =>
    t.call('POST', `/v1/patients/${userId}/summary`, { token, body });
  const deleteSummary = (id: string, token: string | undefined) =>
    t.call('DELETE', `/v1/summaries/${id}/clinics`, { token });

  describe('UpdatePatientSummary — POST /v1/patients/{patientId}/summary', () => {
    it('should deny users, clinic admins and the patient themself', async () => {
      const { clinicId, admin } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      await expectDenials(
        (token) => updateSummary(patient.userId, token, { cgmStats: summaryStats('cgm', summaryId()) }),
        {
          admin: admin.token,
          patientThemself: patient.token,
          user: (await t.users.create()).token,
        },
      );
      expect(await findPatientDocument(t, clinicId, patient.userId)).not.toHaveProperty('summary');
    });

    it('should write the statistics on the user’s record in every clinic, dates as dates', async () => {
      const first = await createClinic(t);
      const second = await createClinic(t);
      const patient = await addUserPatient(t, first.clinicId);
      await t.call('POST', `/v1/clinics/${second.clinicId}/patients/${patient.userId}`, {
        token: server,
        body: { permissions: { view: {} } },
      });
      const cgm = summaryStats('cgm', summaryId(), '2024-04-04T04:04:04.000Z');
      const bgm = summaryStats('bgm', summaryId());

      const res = await updateSummary(patient.userId, server, { cgmStats: cgm, bgmStats: bgm });

      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      for (const clinicId of [first.clinicId, second.clinicId]) {
        const stored = await findPatientDocument(t, clinicId, patient.userId);
        expect(stored.summary.cgmStats.dates.lastData).toEqual(new Date('2024-04-04T04:04:04.000Z'));
        expect(stored.summary.cgmStats.periods['14d']).toEqual(cgm.periods && (cgm.periods as any)['14d']);
        expect(stored.summary.bgmStats.id).toBe(bgm.id);
        const read = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients/${patient.userId}`, { token: server });
        expect(read.body.summary).toEqual({ cgmStats: cgm, bgmStats: bgm });
      }
      await expectCountsExact(t, first.clinicId);
    });

    it('should replace each type whole only when it has an id, leave the other type alone, and remove the summary without a body', async () => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const bgm = summaryStats('bgm', summaryId());
      await updateSummary(patient.userId, server, { cgmStats: summaryStats('cgm', summaryId()), bgmStats: bgm });
      const newer = summaryStats('cgm', summaryId(), '2024-09-09T09:09:09.000Z');
      delete newer.config;

      await updateSummary(patient.userId, server, { cgmStats: newer });
      let stored = await findPatientDocument(t, clinicId, patient.userId);
      expect(stored.summary.cgmStats.id).toBe(newer.id);
      expect(stored.summary.cgmStats).not.toHaveProperty('config');
      expect(stored.summary.bgmStats.id).toBe(bgm.id);

      const withoutId = summaryStats('bgm', summaryId());
      delete withoutId.id;
      expect((await updateSummary(patient.userId, server, { bgmStats: withoutId })).status).toBe(200);
      stored = await findPatientDocument(t, clinicId, patient.userId);
      expect(stored.summary.bgmStats.id).toBe(bgm.id);

      const removed = await updateSummary(patient.userId, server);
      expect(removed.status).toBe(200);
      expect(await findPatientDocument(t, clinicId, patient.userId)).not.toHaveProperty('summary');
    });

    it('should answer 204 when the user is nobody’s patient', async () => {
      const user = await t.users.create({ roles: [] });
      const res = await updateSummary(user.userId, server, { cgmStats: summaryStats('cgm', summaryId()) });
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
    });

    it.each([
      [
        'a period without a required field',
        { cgmStats: { id: 'aa', periods: { '14d': cgmPeriod({ hasTimeInTargetPercent: undefined }) } } },
        'cgmStats',
      ],
      [
        'a metric that is not a number',
        { cgmStats: { id: 'aa', periods: { '7d': cgmPeriod({ timeInTargetPercent: 'high' }) } } },
        'cgmStats',
      ],
      ['a config without a threshold', { bgmStats: { id: 'bb', config: { schemaVersion: 1 } } }, 'bgmStats'],
      [
        'dates without the has… flags',
        { bgmStats: { id: 'bb', dates: { lastData: '2024-01-01T00:00:00Z' } } },
        'bgmStats',
      ],
      ['a date that is not a date-time', { cgmStats: summaryStats('cgm', 'cc', 'yesterday') }, 'cgmStats'],
      ['a malformed summary id', { cgmStats: { id: 'XYZ' } }, 'cgmStats'],
    ])('should refuse %s with 400, writing nothing', async (_case, body, field) => {
      const { clinicId } = await createClinic(t);
      const patient = await addUserPatient(t, clinicId);
      const res = await updateSummary(patient.userId, server, body);
      const error = expectValidationError(res, field);
      expect(error.details?.[0].message).toMatch(/^cgmStats|^bgmStats/);
      expect(await findPatientDocument(t, clinicId, patient.userId)).not.toHaveProperty('summary');
    });

    it('should answer 400 for a malformed patient id', async () => {
      expectValidationError(await updateSummary('nope', server, {}), 'patientId');
    });
  });

  describe('DeletePatientSummary — DELETE /v1/summaries/{summaryId}/clinics', () => {
    it('should deny users and clinic admins', async () => {
      const { admin } = await createClinic(t);
      await expectDenials((token) => deleteSummary(summaryId(), token), {
        admin: admin.token,
        user: (await t.users.create()).token,
      });
    });

    it('should remove the statistics with that id everywhere, answering 200, then 204 when none are left', async () => {
      const first = await createClinic(t);
      const second = await createClinic(t);
      const patient = await addUserPatient(t, first.clinicId);
      await t.call('POST', `/v1/clinics/${second.clinicId}/patients/${patient.userId}`, {
        token: server,
        body: { permissions: { view: {} } },
      });
      const other = await addUserPatient(t, first.clinicId);
      const cgmId = summaryId();
      const bgm = summaryStats('bgm', summaryId());
      await updateSummary(patient.userId, server, { cgmStats: summaryStats('cgm', cgmId), bgmStats: bgm });
      await updateSummary(other.userId, server, { cgmStats: summaryStats('cgm', summaryId()) });

      const res = await deleteSummary(cgmId, server);

      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      for (const clinicId of [first.clinicId, second.clinicId]) {
        const stored = await findPatientDocument(t, clinicId, patient.userId);
        expect(stored.summary).not.toHaveProperty('cgmStats');
        expect(stored.summary.bgmStats.id).toBe(bgm.id);
      }
      expect((await findPatientDocument(t, first.clinicId, other.userId)).summary).toHaveProperty('cgmStats');

      const again = await deleteSummary(cgmId, server);
      expect(again.status).toBe(204);
      expect(again.text).toBe('');

      expect((await deleteSummary(bgm.id as string, server)).status).toBe(200);
      expect((await findPatientDocument(t, first.clinicId, patient.userId)).summary).toEqual({});
    });

    it('should answer 400 for an id that is not a summary id', async () => {
      expectValidationError(await deleteSummary('not-hex', server), 'summaryId');
      expectError(await deleteSummary('0123456789abcdef0123456789', server), 400);
    });
  });
});
