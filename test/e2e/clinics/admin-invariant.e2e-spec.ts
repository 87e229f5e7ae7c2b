import { Types } from 'mongoose';
import { CliniciansWriter } from '../../../src/modules/clinics/clinicians/clinicians.repository';
import { addClinician, createClinic, findClinicianDocuments } from '../../support/builders';
import { expectError } from '../../support/expect-error';
import { TestResponse, useTestApp } from '../../support/test-app';
import { expectAdminsConsistent } from './expectations';

/**
 * "A clinic always keeps at least one admin, and `admins` equals its clinicians holding CLINIC_ADMIN"
 * — under concurrent requests and when a write fails half-way.
 */
describe('the admin invariant', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const demote = (clinicId: string, userId: string) =>
    t.call('PUT', `/v1/clinics/${clinicId}/clinicians/${userId}`, {
      token: server,
      body: { email: 'x@example.com', roles: ['CLINIC_MEMBER'] },
    });
  const promote = (clinicId: string, userId: string) =>
    t.call('PUT', `/v1/clinics/${clinicId}/clinicians/${userId}`, {
      token: server,
      body: { email: 'x@example.com', roles: ['CLINIC_ADMIN'] },
    });
  const remove = (clinicId: string, userId: string) =>
    t.call('DELETE', `/v1/clinics/${clinicId}/clinicians/${userId}`, { token: server });

  const tally = (responses: TestResponse[]): Record<number, number> => {
    const counts: Record<number, number> = {};
    for (const res of responses) counts[res.status] = (counts[res.status] ?? 0) + 1;
    return counts;
  };

  const expectOnlyExpectedFailures = (responses: TestResponse[]) => {
    for (const res of responses) {
      if (res.status === 200) continue;
      const allowed: Record<number, string> = {
        404: 'clinician not found',
        422: 'constraint violation: the clinic must have at least one admin',
      };
      expect(Object.keys(allowed)).toContain(String(res.status));
      expectError(res, res.status, allowed[res.status]);
    }
  };

  it('should keep one admin when 20 concurrent requests demote or delete both admins of a clinic', async () => {
    const rounds = 5;
    const summaries: string[] = [];
    for (let round = 0; round < rounds; round++) {
      const { clinicId, admin: a } = await createClinic(t);
      const b = await addClinician(t, clinicId, ['CLINIC_ADMIN']);
      const requests = Array.from({ length: 20 }, (_, i) => {
        const target = i % 2 === 0 ? a.userId : b.userId;
        return i % 4 < 2 ? () => demote(clinicId, target) : () => remove(clinicId, target);
      });
      const responses = await Promise.all(requests.map((send) => send()));

      expectOnlyExpectedFailures(responses);
      const remaining = await expectAdminsConsistent(t, clinicId);
      expect(remaining).toHaveLength(1);
      // Exactly one admin lost the role; the other kept it and was never deleted.
      const survivor = remaining[0];
      const records = await findClinicianDocuments(t, clinicId);
      expect(records.find((record) => record.userId === survivor)!.roles).toEqual(['CLINIC_ADMIN']);
      expect(responses.some((res) => res.status === 422)).toBe(true);
      summaries.push(`round ${round + 1}: ${JSON.stringify(tally(responses))} → admins ${remaining.length}`);
    }
    console.log(`admin invariant, 20 concurrent demote/delete requests per round:\n  ${summaries.join('\n  ')}`);
  });

  it('should stay consistent when promotions race with demotions and deletions', async () => {
    const { clinicId, admin: a } = await createClinic(t);
    const b = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const c = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const requests = [
      () => promote(clinicId, b.userId),
      () => demote(clinicId, a.userId),
      () => remove(clinicId, a.userId),
      () => promote(clinicId, c.userId),
      () => demote(clinicId, b.userId),
      () => remove(clinicId, c.userId),
      () => demote(clinicId, a.userId),
      () => promote(clinicId, b.userId),
      () => demote(clinicId, c.userId),
      () => remove(clinicId, b.userId),
    ];
    const responses = await Promise.all([...requests, ...requests].map((send) => send()));
    expectOnlyExpectedFailures(responses);
    await expectAdminsConsistent(t, clinicId);
  });

  it('should put the admin back when the clinician write fails after the removal from `admins`', async () => {
    const { clinicId, admin: a } = await createClinic(t);
    const b = await addClinician(t, clinicId, ['CLINIC_ADMIN']);
    const spy = jest.spyOn(CliniciansWriter.prototype, 'updateMember').mockRejectedValueOnce(new Error('write failed'));

    expectError(await demote(clinicId, b.userId), 500, 'Internal Server Error');
    spy.mockRestore();

    expect(await expectAdminsConsistent(t, clinicId)).toEqual([a.userId, b.userId].sort());
  });

  it('should put the admin back when the deletion loses a race with another change of the record', async () => {
    const { clinicId, admin: a } = await createClinic(t);
    const b = await addClinician(t, clinicId, ['CLINIC_ADMIN']);
    const spy = jest.spyOn(CliniciansWriter.prototype, 'deleteIfUnchanged').mockResolvedValueOnce(false);

    expectError(await remove(clinicId, b.userId), 404, 'clinician not found');
    spy.mockRestore();

    expect(await expectAdminsConsistent(t, clinicId)).toEqual([a.userId, b.userId].sort());
  });

  it('should demote an admin whose user is not listed in `admins`, repairing the state a crash leaves', async () => {
    // The state a crash between the removal from `admins` and the record write leaves behind.
    const { clinicId, admin: a } = await createClinic(t);
    const b = await addClinician(t, clinicId, ['CLINIC_ADMIN']);
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(clinicId) }, { $pull: { admins: b.userId } } as any);

    expect((await demote(clinicId, b.userId)).status).toBe(200);

    expect(await expectAdminsConsistent(t, clinicId)).toEqual([a.userId]);
  });
});
