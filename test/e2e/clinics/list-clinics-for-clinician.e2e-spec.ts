import { Types } from 'mongoose';
import { addClinician, addInvite, createClinic } from '../../support/builders';
import { expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from './expectations';

describe('ListClinicsForClinician — GET /v1/clinicians/{userId}/clinics', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const list = (token: string | undefined, userId: string, query: Record<string, number> = {}) =>
    t.call<any[]>('GET', `/v1/clinicians/${userId}/clinics`, { token, query });

  it('should deny everyone but the user themself and servers', async () => {
    const { clinicId, admin } = await createClinic(t);
    const colleague = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const outsider = await t.users.create();
    await expectDenials((token) => list(token, admin.userId), { colleague: colleague.token, user: outsider.token });
  });

  it('should list the user’s clinics with their clinician record, newest membership first', async () => {
    const first = await createClinic(t, { name: 'First' });
    const user = { userId: first.admin.userId, token: first.admin.token };
    const second = await createClinic(t, { name: 'Second' });
    const third = await createClinic(t, { name: 'Third' });
    await t.call('POST', `/v1/clinics/${second.clinicId}/clinicians`, {
      token: server,
      body: { id: user.userId, email: first.admin.email, roles: ['CLINIC_MEMBER'] },
    });
    await t.call('POST', `/v1/clinics/${third.clinicId}/clinicians`, {
      token: server,
      body: { id: user.userId, email: first.admin.email, roles: ['PRESCRIBER'] },
    });
    // A pending invite for the same e-mail elsewhere is not a membership.
    const fourth = await createClinic(t, { name: 'Fourth' });
    await addInvite(t, fourth.clinicId, ['CLINIC_MEMBER'], first.admin.email);

    for (const token of [user.token, server]) {
      const res = await list(token, user.userId);
      expect(res.status).toBe(200);
      expect(res.body.map((entry) => [entry.clinic.name, entry.clinician.roles])).toEqual([
        ['Third', ['PRESCRIBER']],
        ['Second', ['CLINIC_MEMBER']],
        ['First', ['CLINIC_ADMIN']],
      ]);
    }
    const res = await list(server, user.userId);
    expect(res.body[2].clinic).toEqual(first.clinic);
    expect(res.body[2].clinician).toMatchObject({ id: user.userId, roles: ['CLINIC_ADMIN'] });

    const page = await list(server, user.userId, { offset: 1, limit: 1 });
    expect(page.body.map((entry) => entry.clinic.name)).toEqual(['Second']);

    // A record whose clinic is gone (a deletion interrupted half-way) is left out.
    await t.connection.collection('clinics').deleteOne({ _id: new Types.ObjectId(second.clinicId) });
    const afterwards = await list(server, user.userId);
    expect(afterwards.body.map((entry) => entry.clinic.name)).toEqual(['Third', 'First']);
  });

  it('should answer an empty list for a user without clinics', async () => {
    const loner = await t.users.create();
    const res = await list(loner.token, loner.userId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('should reject a malformed user id and invalid pagination', async () => {
    expectValidationError(await list(server, 'NOT-AN-ID'), 'userId');
    const user = await t.users.create();
    expectValidationError(await list(user.token, user.userId, { limit: 0 }), 'limit');
    expectValidationError(await list(user.token, user.userId, { offset: -1 }), 'offset');
  });
});
