import { Types } from 'mongoose';
import { FORBIDDEN_MESSAGE } from '../../../src/auth/authorization/authorization.guard';
import { mailConfig } from '../../../src/config/mail.config';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useMailTestApp } from '../../support/smtp-sink';
import { useTestApp } from '../../support/test-app';

const WEB_URL = 'https://app.example.test';
const NO_MATCH = 'No matching invite was found';

interface Clinic {
  id: string;
  name: string;
  admin: { userId: string; token: string; email: string };
}

describe('clinician invites', () => {
  const mail = useMailTestApp(WEB_URL);
  const t = mail.app;
  let server: string;
  let counter = 0;
  beforeAll(async () => {
    server = await t.tokens.server('orca');
  });

  const unique = () => `${Date.now().toString(36)}${++counter}`;

  async function newClinic(name = `Clinic ${unique()}`): Promise<Clinic> {
    const email = `admin-${unique()}@example.com`;
    const admin = await t.users.create({ email, fullName: 'Ada Admin' });
    const res = await t.call<{ id: string }>('POST', '/v1/clinics', {
      token: admin.token,
      body: { name, preferredBgUnits: 'mg/dL' },
    });
    expect(res.status).toBe(200);
    return { id: res.body.id, name, admin: { userId: admin.userId, token: admin.token, email } };
  }

  async function addMember(clinic: Clinic, roles: string[]): Promise<{ userId: string; token: string }> {
    const user = await t.users.create();
    const res = await t.call('POST', `/v1/clinics/${clinic.id}/clinicians`, {
      token: server,
      body: { id: user.userId, email: user.username, roles, name: 'Member' },
    });
    expect(res.status).toBe(200);
    return { userId: user.userId, token: user.token };
  }

  async function invite(clinic: Clinic, email: string, roles: string[] = ['CLINIC_MEMBER']): Promise<string> {
    const res = await t.call<{ inviteId: string }>('POST', `/v1/clinics/${clinic.id}/invites/clinicians`, {
      token: clinic.admin.token,
      body: { email, roles },
    });
    expect(res.status).toBe(200);
    return res.body.inviteId;
  }

  const confirmation = (key: string) => t.connection.collection('confirmations').findOne({ _id: key as never });
  const inviteRecord = (clinicId: string, inviteId: string) =>
    t.connection.collection('clinicians').findOne({ clinicId: new Types.ObjectId(clinicId), inviteId });
  const mailsTo = (address: string) =>
    mail.smtp.messages.filter((message) => message.to.some((to) => to.toLowerCase() === address.toLowerCase()));

  describe('InviteClinician', () => {
    it('should deny callers who are not admins of the clinic', async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const member = await addMember(clinic, ['CLINIC_MEMBER']);
      const prescriber = await addMember(clinic, ['PRESCRIBER']);
      const url = `/v1/clinics/${clinic.id}/invites/clinicians`;
      const body = { email: 'x@example.com', roles: ['CLINIC_MEMBER'] };
      expectError(await t.call('POST', url, { body }), 400, 'session token is missing');
      expectError(await t.call('POST', url, { body, token: 'bad' }), 401, 'session token is invalid');
      for (const token of [member.token, prescriber.token, other.admin.token]) {
        expectError(await t.call('POST', url, { body, token }), 403, FORBIDDEN_MESSAGE);
      }
      expect(await t.connection.collection('confirmations').countDocuments({ clinicId: clinic.id })).toBe(0);
    });

    it('should reject bad input and write nothing', async () => {
      const clinic = await newClinic();
      const url = `/v1/clinics/${clinic.id}/invites/clinicians`;
      const token = clinic.admin.token;
      expectValidationError(
        await t.call('POST', url, { token, body: { email: 'nope', roles: ['CLINIC_MEMBER'] } }),
        'email',
      );
      expectValidationError(await t.call('POST', url, { token, body: { email: 'a@example.com', roles: [] } }), 'roles');
      expectValidationError(
        await t.call('POST', url, { token, body: { email: 'a@example.com', roles: ['OWNER'] } }),
        'roles',
      );
      expectValidationError(await t.call('POST', url, { token, body: {} }), 'email', 'roles');
      expect(await t.connection.collection('confirmations').countDocuments({ clinicId: clinic.id })).toBe(0);
      expect(
        await t.connection.collection('clinicians').countDocuments({ clinicId: new Types.ObjectId(clinic.id) }),
      ).toBe(1);
    });

    it('should answer 404 for a clinic that does not exist (server token)', async () => {
      const res = await t.call('POST', `/v1/clinics/${new Types.ObjectId().toHexString()}/invites/clinicians`, {
        token: server,
        body: { email: 'a@example.com', roles: ['CLINIC_MEMBER'] },
      });
      expectError(res, 404, 'clinic not found');
    });

    it('should create the invite record and the pending confirmation, and e-mail a sign-up link', async () => {
      const clinic = await newClinic();
      const email = `New.Clinician-${unique()}@Example.com`;
      const res = await t.call<any>('POST', `/v1/clinics/${clinic.id}/invites/clinicians`, {
        token: clinic.admin.token,
        body: { email, roles: ['CLINIC_ADMIN'] },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        inviteId: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        email: email.toLowerCase(),
        roles: ['CLINIC_ADMIN'],
        createdTime: expect.any(String),
        updatedTime: expect.any(String),
      });
      const key = res.body.inviteId as string;
      expect(await inviteRecord(clinic.id, key)).toMatchObject({ email: email.toLowerCase(), roles: ['CLINIC_ADMIN'] });
      expect(await confirmation(key)).toMatchObject({
        type: 'clinician_invitation',
        status: 'pending',
        email,
        clinicId: clinic.id,
        creatorId: clinic.admin.userId,
        userId: '',
        creator: { clinicId: clinic.id, clinicName: clinic.name },
      });
      const [mail] = mailsTo(email);
      expect(mail.subject).toBe(`Invitation to join ${clinic.name}`);
      expect(mail.decoded).toContain('Ada Admin has invited you');
      expect(mail.decoded).toContain(`${WEB_URL}/signup/clinician?inviteEmail=${encodeURIComponent(email)}`);
    });

    it('should link an existing account to the invite and send it to log in', async () => {
      const clinic = await newClinic();
      const invitee = await t.users.create();
      const key = await invite(clinic, invitee.username!.toUpperCase());
      expect((await confirmation(key))?.userId).toBe(invitee.userId);
      const [mail] = mailsTo(invitee.username!);
      expect(mail.decoded).toContain(`${WEB_URL}/login?inviteEmail=`);
    });

    it('should refuse a second invite for the same e-mail with 409 and no second confirmation', async () => {
      const clinic = await newClinic();
      const email = `dup-${unique()}@example.com`;
      await invite(clinic, email);
      const again = await t.call('POST', `/v1/clinics/${clinic.id}/invites/clinicians`, {
        token: clinic.admin.token,
        body: { email: email.toUpperCase(), roles: ['CLINIC_MEMBER'] },
      });
      expectError(again, 409, 'duplicate: clinician is already a member of the clinic');
      expect(await t.connection.collection('confirmations').countDocuments({ clinicId: clinic.id })).toBe(1);
    });

    it('should answer 500 when the e-mail cannot be sent, leaving a pending invite that can be resent', async () => {
      const clinic = await newClinic();
      const email = `unlucky-${unique()}@example.com`;
      mail.smtp.failNext = true;
      const res = await t.call('POST', `/v1/clinics/${clinic.id}/invites/clinicians`, {
        token: clinic.admin.token,
        body: { email, roles: ['CLINIC_MEMBER'] },
      });
      expectError(res, 500, 'Error sending email');
      const stored = await t.connection.collection('confirmations').findOne({ clinicId: clinic.id });
      expect(stored).toMatchObject({ status: 'pending', email });
      const key = String(stored?._id);
      expect(await inviteRecord(clinic.id, key)).not.toBeNull();
      expect(mailsTo(email)).toHaveLength(0);

      mail.smtp.failNext = false;
      const resend = await t.call('PATCH', `/v1/clinics/${clinic.id}/invites/clinicians/${key}`, {
        token: clinic.admin.token,
      });
      expect(resend.status).toBe(200);
      expect(mailsTo(email)).toHaveLength(1);
    });
  });

  describe('ResendInvite', () => {
    it('should deny non-admins', async () => {
      const clinic = await newClinic();
      const key = await invite(clinic, `r-${unique()}@example.com`);
      const member = await addMember(clinic, ['CLINIC_MEMBER']);
      const url = `/v1/clinics/${clinic.id}/invites/clinicians/${key}`;
      expectError(await t.call('PATCH', url), 400, 'session token is missing');
      expectError(await t.call('PATCH', url, { token: 'bad' }), 401, 'session token is invalid');
      expectError(await t.call('PATCH', url, { token: member.token }), 403, FORBIDDEN_MESSAGE);
      expectError(await t.call('PATCH', url, { token: (await newClinic()).admin.token }), 403, FORBIDDEN_MESSAGE);
    });

    it('should send the invitation again and return the confirmation with the inviter profile', async () => {
      const clinic = await newClinic();
      const email = `resend-${unique()}@example.com`;
      const key = await invite(clinic, email);
      const before = await confirmation(key);
      const res = await t.call<any>('PATCH', `/v1/clinics/${clinic.id}/invites/clinicians/${key}`, { token: server });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        key,
        type: 'clinician_invitation',
        status: 'pending',
        email,
        creatorId: clinic.admin.userId,
        creator: { userid: clinic.admin.userId, profile: { fullName: 'Ada Admin' }, clinicName: clinic.name },
      });
      expect(new Date(res.body.created).getTime()).toBe(before?.created.getTime());
      expect(new Date(res.body.modified).getTime()).toBeGreaterThanOrEqual(before?.modified.getTime());
      expect(mailsTo(email)).toHaveLength(2);
    });

    it('should complete an invite record whose confirmation is missing', async () => {
      const clinic = await newClinic();
      const key = 'orphanorphanorphanorphanorphan12';
      const email = `orphan-${unique()}@example.com`;
      await t.connection.collection('clinicians').insertOne({
        clinicId: new Types.ObjectId(clinic.id),
        inviteId: key,
        inviteKey: `${clinic.id}:${key}`,
        email,
        emailKey: `${clinic.id}:${email}`,
        name: null,
        roles: ['CLINIC_MEMBER'],
        createdTime: new Date(),
        updatedTime: new Date(),
      });
      const res = await t.call('PATCH', `/v1/clinics/${clinic.id}/invites/clinicians/${key}`, {
        token: clinic.admin.token,
      });
      expect(res.status).toBe(200);
      expect(await confirmation(key)).toMatchObject({ status: 'pending', email, clinicId: clinic.id });
      expect(mailsTo(email)).toHaveLength(1);
    });

    it('should answer 404 "No matching invite was found" once the invite is accepted or canceled', async () => {
      const clinic = await newClinic();
      const user = await t.users.create();
      const accepted = await invite(clinic, user.username!);
      expect(
        (await t.call('PUT', `/v1/clinicians/${user.userId}/invites/${accepted}`, { token: user.token })).status,
      ).toBe(200);
      const canceled = await invite(clinic, `gone-${unique()}@example.com`);
      const url = (key: string) => `/v1/clinics/${clinic.id}/invites/clinicians/${key}`;
      expect((await t.call('DELETE', url(canceled), { token: clinic.admin.token })).status).toBe(200);
      const sent = mail.smtp.messages.length;
      for (const key of [accepted, canceled]) {
        expectError(await t.call('PATCH', url(key), { token: clinic.admin.token }), 404, NO_MATCH);
      }
      expect(mail.smtp.messages.length).toBe(sent);
      expect((await confirmation(accepted))?.status).toBe('completed');
      expect((await confirmation(canceled))?.status).toBe('canceled');
    });

    it('should answer 404 for an unknown invite', async () => {
      const clinic = await newClinic();
      const res = await t.call('PATCH', `/v1/clinics/${clinic.id}/invites/clinicians/unknown-invite`, {
        token: clinic.admin.token,
      });
      expectError(res, 404);
    });
  });

  describe('GetClinicianInvite and DeleteInvite', () => {
    it('should deny non-admins', async () => {
      const clinic = await newClinic();
      const key = await invite(clinic, `g-${unique()}@example.com`);
      const member = await addMember(clinic, ['CLINIC_MEMBER']);
      const url = `/v1/clinics/${clinic.id}/invites/clinicians/${key}`;
      for (const method of ['GET', 'DELETE']) {
        expectError(await t.call(method, url), 400, 'session token is missing');
        expectError(await t.call(method, url, { token: 'bad' }), 401, 'session token is invalid');
        expectError(await t.call(method, url, { token: member.token }), 403, FORBIDDEN_MESSAGE);
      }
      expect((await confirmation(key))?.status).toBe('pending');
    });

    it('should return the pending invite, then cancel it and remove the invite record', async () => {
      const clinic = await newClinic();
      const email = `cancel-${unique()}@example.com`;
      const key = await invite(clinic, email);
      const url = `/v1/clinics/${clinic.id}/invites/clinicians/${key}`;
      const got = await t.call<any>('GET', url, { token: clinic.admin.token });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ key, status: 'pending', email, type: 'clinician_invitation' });

      const deleted = await t.call('DELETE', url, { token: clinic.admin.token });
      expect(deleted.status).toBe(200);
      expect(deleted.text).toBe('OK');
      expect((await confirmation(key))?.status).toBe('canceled');
      expect(await inviteRecord(clinic.id, key)).toBeNull();

      expect((await t.call('DELETE', url, { token: clinic.admin.token })).status).toBe(200);
      expectError(await t.call('GET', url, { token: clinic.admin.token }), 404);
    });

    it('should answer 404 for an unknown invite', async () => {
      const clinic = await newClinic();
      expectError(
        await t.call('GET', `/v1/clinics/${clinic.id}/invites/clinicians/unknown`, { token: clinic.admin.token }),
        404,
      );
    });
  });

  describe('ListClinicianInvites', () => {
    it('should let only the user themself list, with a user token', async () => {
      const user = await t.users.create();
      const other = await t.users.create();
      const url = `/v1/clinicians/${user.userId}/invites`;
      expectError(await t.call('GET', url), 400, 'session token is missing');
      expectError(await t.call('GET', url, { token: 'bad' }), 401, 'session token is invalid');
      expectError(await t.call('GET', url, { token: other.token }), 403, FORBIDDEN_MESSAGE);
      expectError(await t.call('GET', url, { token: await t.tokens.server(user.userId) }), 403, FORBIDDEN_MESSAGE);
    });

    it('should answer 200 [] when there are none', async () => {
      const user = await t.users.create();
      const res = await t.call('GET', `/v1/clinicians/${user.userId}/invites`, { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    it('should claim invites sent to the e-mail before the account existed, newest first, with restrictions', async () => {
      const first = await newClinic();
      const second = await newClinic();
      const email = `late-${unique()}@example.com`;
      const olderKey = await invite(first, email.toUpperCase());
      const newerKey = await invite(second, email);
      const user = await t.users.create({ email });
      const res = await t.call<any[]>('GET', `/v1/clinicians/${user.userId}/invites`, { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body.map((item) => item.key)).toEqual([newerKey, olderKey]);
      expect(res.body[0]).toMatchObject({
        status: 'pending',
        restrictions: { canAccept: true },
        creator: { userid: second.admin.userId, profile: { fullName: 'Ada Admin' } },
      });
      expect((await confirmation(olderKey))?.userId).toBe(user.userId);
    });

    it('should report the identity provider a restriction requires', async () => {
      const clinic = await newClinic();
      const email = `sso-${unique()}@example.com`;
      await invite(clinic, email);
      await setRestrictions(clinic, [{ emailDomain: 'example.com', requiredIdp: 'hospital-sso' }]);
      const user = await t.users.create({ email });
      const res = await t.call<any[]>('GET', `/v1/clinicians/${user.userId}/invites`, { token: user.token });
      expect(res.body[0].restrictions).toEqual({ canAccept: false, requiredIdp: 'hospital-sso' });
    });
  });

  async function setRestrictions(clinic: Clinic, restrictions: Array<{ emailDomain: string; requiredIdp?: string }>) {
    const res = await t.call('PUT', `/v1/clinics/${clinic.id}/membership_restrictions`, {
      token: server,
      body: { restrictions },
    });
    expect(res.status).toBe(200);
  }

  describe('AcceptClinicianInvite', () => {
    it('should let only the invited user accept, with a user token', async () => {
      const clinic = await newClinic();
      const user = await t.users.create();
      const key = await invite(clinic, user.username!);
      const url = `/v1/clinicians/${user.userId}/invites/${key}`;
      expectError(await t.call('PUT', url), 400, 'session token is missing');
      expectError(await t.call('PUT', url, { token: 'bad' }), 401, 'session token is invalid');
      expectError(await t.call('PUT', url, { token: clinic.admin.token }), 403, FORBIDDEN_MESSAGE);
      expectError(await t.call('PUT', url, { token: server }), 403, FORBIDDEN_MESSAGE);
      expect((await confirmation(key))?.status).toBe('pending');
    });

    it('should answer 404 for an invite that is not addressed to the user', async () => {
      const clinic = await newClinic();
      const key = await invite(clinic, `someone-${unique()}@example.com`);
      const stranger = await t.users.create();
      const res = await t.call('PUT', `/v1/clinicians/${stranger.userId}/invites/${key}`, { token: stranger.token });
      expectError(res, 404, NO_MATCH);
      expect((await confirmation(key))?.status).toBe('pending');
    });

    it('should make the user a clinician with their name, update admins, and complete the invite', async () => {
      const clinic = await newClinic();
      const user = await t.users.create({ fullName: 'Dee Doctor' });
      const key = await invite(clinic, user.username!, ['CLINIC_ADMIN']);
      const res = await t.call<any>('PUT', `/v1/clinicians/${user.userId}/invites/${key}`, { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: user.userId, name: 'Dee Doctor', roles: ['CLINIC_ADMIN'] });
      expect(res.body.inviteId).toBeUndefined();
      const record = await t.connection
        .collection('clinicians')
        .findOne({ clinicId: new Types.ObjectId(clinic.id), userId: user.userId });
      expect(record).toMatchObject({ name: 'Dee Doctor', roles: ['CLINIC_ADMIN'] });
      expect(record?.inviteId).toBeUndefined();
      expect((await confirmation(key))?.status).toBe('completed');
      const stored = await t.connection.collection('clinics').findOne({ _id: new Types.ObjectId(clinic.id) });
      expect(stored?.admins).toEqual(expect.arrayContaining([clinic.admin.userId, user.userId]));

      const again = await t.call('PUT', `/v1/clinicians/${user.userId}/invites/${key}`, { token: user.token });
      expectError(again, 404, NO_MATCH);
    });

    it('should leave exactly one clinician and one completed invite under concurrent accepts', async () => {
      const clinic = await newClinic();
      const user = await t.users.create();
      const key = await invite(clinic, user.username!);
      const responses = await Promise.all(
        Array.from({ length: 8 }, () =>
          t.call('PUT', `/v1/clinicians/${user.userId}/invites/${key}`, { token: user.token }),
        ),
      );
      const statuses = responses.map((res) => res.status);
      expect(statuses.filter((status) => status === 200).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((status) => status === 200 || status === 404)).toBe(true);
      expect(
        await t.connection
          .collection('clinicians')
          .countDocuments({ clinicId: new Types.ObjectId(clinic.id), userId: user.userId }),
      ).toBe(1);
      expect(await inviteRecord(clinic.id, key)).toBeNull();
      expect((await confirmation(key))?.status).toBe('completed');
    });

    it('should end consistently when accepts and dismisses race', async () => {
      for (let round = 0; round < 3; round++) {
        const clinic = await newClinic();
        const user = await t.users.create();
        const key = await invite(clinic, user.username!);
        const url = `/v1/clinicians/${user.userId}/invites/${key}`;
        await Promise.all(
          Array.from({ length: 6 }, (_v, i) => t.call(i % 2 === 0 ? 'PUT' : 'DELETE', url, { token: user.token })),
        );
        const members = await t.connection
          .collection('clinicians')
          .countDocuments({ clinicId: new Types.ObjectId(clinic.id), userId: user.userId });
        const status = (await confirmation(key))?.status;
        expect({ members, status }).toEqual(
          members === 1 ? { members: 1, status: 'completed' } : { members: 0, status: 'declined' },
        );
        expect(await inviteRecord(clinic.id, key)).toBeNull();
      }
    });

    describe('membership restrictions', () => {
      const cases: Array<{
        name: string;
        restrictions: Array<{ emailDomain: string; requiredIdp?: string }>;
        domain: string;
        idp?: string;
        allowed: boolean;
      }> = [
        { name: 'no restrictions', restrictions: [], domain: 'anywhere.org', allowed: true },
        {
          name: 'matching domain, no idp',
          restrictions: [{ emailDomain: 'Hospital.org' }],
          domain: 'hospital.org',
          allowed: true,
        },
        {
          name: 'matching domain, the right idp',
          restrictions: [{ emailDomain: 'hospital.org', requiredIdp: 'hospital-sso' }],
          domain: 'hospital.org',
          idp: 'Hospital-SSO',
          allowed: true,
        },
        {
          name: 'matching domain, the wrong idp',
          restrictions: [{ emailDomain: 'hospital.org', requiredIdp: 'hospital-sso' }],
          domain: 'hospital.org',
          idp: 'other-idp',
          allowed: false,
        },
        {
          name: 'no matching domain',
          restrictions: [{ emailDomain: 'hospital.org' }],
          domain: 'elsewhere.org',
          allowed: false,
        },
        {
          name: 'several restrictions, the first match decides (refuses)',
          restrictions: [{ emailDomain: 'hospital.org', requiredIdp: 'hospital-sso' }, { emailDomain: 'hospital.org' }],
          domain: 'hospital.org',
          allowed: false,
        },
        {
          name: 'several restrictions, the first match decides (allows)',
          restrictions: [{ emailDomain: 'other.org', requiredIdp: 'sso' }, { emailDomain: 'hospital.org' }],
          domain: 'hospital.org',
          allowed: true,
        },
      ];

      it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
        const clinic = await newClinic();
        const user = await t.users.create({ email: `user-${unique()}@${c.domain}` });
        const key = await invite(clinic, user.username!);
        if (c.restrictions.length > 0) await setRestrictions(clinic, c.restrictions);
        const token = await t.tokens.user(user.userId, c.idp ? { identityProvider: c.idp } : {});
        const res = await t.call('PUT', `/v1/clinicians/${user.userId}/invites/${key}`, { token });
        const member = await t.connection
          .collection('clinicians')
          .findOne({ clinicId: new Types.ObjectId(clinic.id), userId: user.userId });
        if (c.allowed) {
          expect(res.status).toBe(200);
          expect(member).not.toBeNull();
          expect((await confirmation(key))?.status).toBe('completed');
        } else {
          expectError(res, 403, 'Error accepting invitation');
          expect(member).toBeNull();
          expect(await inviteRecord(clinic.id, key)).not.toBeNull();
          expect((await confirmation(key))?.status).toBe('pending');
        }
      });
    });
  });

  describe('DismissClinicianInvite', () => {
    it('should let only the invited user dismiss', async () => {
      const clinic = await newClinic();
      const user = await t.users.create();
      const key = await invite(clinic, user.username!);
      const url = `/v1/clinicians/${user.userId}/invites/${key}`;
      expectError(await t.call('DELETE', url), 400, 'session token is missing');
      expectError(await t.call('DELETE', url, { token: 'bad' }), 401, 'session token is invalid');
      expectError(await t.call('DELETE', url, { token: clinic.admin.token }), 403, FORBIDDEN_MESSAGE);
      expectError(await t.call('DELETE', url, { token: server }), 403, FORBIDDEN_MESSAGE);
    });

    it('should decline the invite and remove the invite record; a second dismiss finds nothing', async () => {
      const clinic = await newClinic();
      const user = await t.users.create();
      const key = await invite(clinic, user.username!);
      const url = `/v1/clinicians/${user.userId}/invites/${key}`;
      const res = await t.call('DELETE', url, { token: user.token });
      expect(res.status).toBe(200);
      expect(res.text).toBe('OK');
      expect(await confirmation(key)).toMatchObject({ status: 'declined', userId: user.userId });
      expect(await inviteRecord(clinic.id, key)).toBeNull();
      expectError(await t.call('DELETE', url, { token: user.token }), 404, NO_MATCH);
      expectError(await t.call('PUT', url, { token: user.token }), 404, NO_MATCH);
    });
  });
});

describe('clinician invites without SMTP', () => {
  const t = useTestApp({
    override: (builder) =>
      builder.overrideProvider(mailConfig.KEY).useValue({ from: 'Clinics <noreply@example.test>', webUrl: WEB_URL }),
  });

  it('should keep the message in outbound_emails and log that it did', async () => {
    const admin = await t.users.create({ fullName: 'Ada Admin' });
    const clinic = await t.call<{ id: string }>('POST', '/v1/clinics', {
      token: admin.token,
      body: { name: 'Outbox Clinic', preferredBgUnits: 'mmol/L' },
    });
    const res = await t.call('POST', `/v1/clinics/${clinic.body.id}/invites/clinicians`, {
      token: admin.token,
      body: { email: 'kept@example.com', roles: ['CLINIC_MEMBER'] },
    });
    expect(res.status).toBe(200);
    const stored = await t.connection.collection('outbound_emails').findOne({ to: 'kept@example.com' });
    expect(stored).toMatchObject({
      subject: 'Invitation to join Outbox Clinic',
      from: 'Clinics <noreply@example.test>',
    });
    expect(stored?.text).toContain(`${WEB_URL}/signup/clinician?inviteEmail=kept%40example.com`);
    // Written by the mailer while the request was handled, so it carries the request's id.
    const logged = t.logs.filter((line) => String(line.msg).includes('stored in outbound_emails'));
    expect(logged.map((line) => [line.context, line.reqId])).toEqual([['OutboxMailer', res.headers['x-request-id']]]);
    expect(JSON.stringify(t.logs)).not.toContain('kept@example.com');
  });
});
