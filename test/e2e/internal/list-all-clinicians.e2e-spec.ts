import { addClinician, addInvite, createClinic } from '../../support/builders';
import { expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('ListAllClinicians — GET /v1/clinicians', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const list = (token: string | undefined, query: Record<string, string | number> = {}) =>
    t.call<any[]>('GET', '/v1/clinicians', { token, query });

  it('should deny everyone but servers (decisions.md §2)', async () => {
    const { clinicId, admin } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const outsider = await t.users.create();
    await expectDenials((token) => list(token), { admin: admin.token, member: member.token, user: outsider.token });
  });

  it('should list every clinician record, invites included, newest first, each with its clinic', async () => {
    const start = new Date().toISOString();
    const first = await createClinic(t, { name: 'One' });
    const member = await addClinician(t, first.clinicId, ['CLINIC_MEMBER']);
    const second = await createClinic(t, { name: 'Two' });
    const invite = await addInvite(t, second.clinicId, ['CLINIC_ADMIN']);

    const res = await list(server, { createdTimeStart: start });
    expect(res.status).toBe(200);
    expect(res.body.map((entry) => [entry.clinic.name, entry.clinician.id ?? entry.clinician.inviteId])).toEqual([
      ['Two', invite.inviteId],
      ['Two', second.admin.userId],
      ['One', member.userId],
      ['One', first.admin.userId],
    ]);
    expect(res.body[3]).toEqual({
      clinic: first.clinic,
      clinician: expect.objectContaining({ id: first.admin.userId, roles: ['CLINIC_ADMIN'] }),
    });
  });

  it('should honour createdTimeStart (inclusive), createdTimeEnd (exclusive) and pagination', async () => {
    const a = await createClinic(t, { name: 'A' });
    const b = await createClinic(t, { name: 'B' });
    const c = await createClinic(t, { name: 'C' });
    const recordTime = async (clinicId: string) =>
      (await t.call<any[]>('GET', `/v1/clinics/${clinicId}/clinicians`, { token: server })).body[0]
        .createdTime as string;
    const [timeA, timeC] = [await recordTime(a.clinicId), await recordTime(c.clinicId)];

    const range = await list(server, { createdTimeStart: timeA, createdTimeEnd: timeC });
    expect(range.body.map((entry) => entry.clinic.name)).toEqual(['B', 'A']);
    const page = await list(server, { createdTimeStart: timeA, offset: 1, limit: 1 });
    expect(page.body.map((entry) => entry.clinic.name)).toEqual([b.clinic.name]);
    const none = await list(server, { createdTimeStart: '2999-01-01T00:00:00Z' });
    expect(none.body).toEqual([]);
  });

  it('should default to pages of 10', async () => {
    // 11 records of its own: the admin and 10 invites.
    const start = new Date().toISOString();
    const { clinicId } = await createClinic(t);
    for (let i = 0; i < 10; i++) await addInvite(t, clinicId, ['CLINIC_MEMBER']);
    expect((await list(server, { createdTimeStart: start })).body).toHaveLength(10);
  });

  it('should reject invalid query parameters with field details', async () => {
    expectValidationError(await list(server, { createdTimeStart: 'last week' }), 'createdTimeStart');
    expectValidationError(await list(server, { createdTimeEnd: '2024-13-01' }), 'createdTimeEnd');
    expectValidationError(await list(server, { limit: 1001 }), 'limit');
    expectValidationError(await list(server, { offset: 'x' }), 'offset');
  });
});
