import { randomBytes } from 'node:crypto';
import { Test } from '@nestjs/testing';
import { AuthorizationGuard, FORBIDDEN_MESSAGE } from '../../../src/auth/authorization/authorization.guard';
import { AuthzProbeModule } from '../../support/authz-probe.module';
import { newObjectId, SeededClinician, seedClinician } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';

describe('session-token authentication and authorization guards', () => {
  const t = useTestApp({ imports: [AuthzProbeModule] });
  let clinicId: string;
  let admin: SeededClinician;
  let member: SeededClinician;
  let prescriber: SeededClinician;
  let server: string;

  beforeAll(async () => {
    clinicId = newObjectId();
    admin = await seedClinician(t, clinicId, ['CLINIC_ADMIN']);
    member = await seedClinician(t, clinicId, ['CLINIC_MEMBER']);
    prescriber = await seedClinician(t, clinicId, ['PRESCRIBER']);
    server = await t.tokens.server('hydrophone');
  });

  describe('check order', () => {
    const url = () => `/authz-probe/clinics/${clinicId}/members`;

    it('should answer 400 "session token is missing" without a token, before anything else', async () => {
      expectError(
        await t.call('GET', '/authz-probe/clinics/nonsense/members?limit=0'),
        400,
        'session token is missing',
      );
      expectError(await t.call('GET', url(), { token: '' }), 400, 'session token is missing');
    });

    it('should answer 401 "session token is invalid" for a bad or foreign token', async () => {
      expectError(await t.call('GET', url(), { token: 'garbage' }), 401, 'session token is invalid');
      const foreign = await t.tokens.user('0123456789');
      const tampered = `${foreign.slice(0, -4)}${foreign.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      expectError(await t.call('GET', url(), { token: tampered }), 401, 'session token is invalid');
    });

    it('should answer 401 for a session token of a route that does not need membership as well', async () => {
      expectError(await t.call('GET', '/authz-probe/user', { token: 'x.y.z' }), 401, 'session token is invalid');
    });

    it('should answer 403 before validation: a non-member with a malformed request', async () => {
      const outsider = await t.users.create();
      const res = await t.call('GET', '/authz-probe/clinics/not-an-id/members', {
        token: outsider.token,
        query: { limit: 0 },
      });
      expectError(res, 403, FORBIDDEN_MESSAGE);
    });

    it('should answer 403 for a clinic that does not exist, never revealing it', async () => {
      const outsider = await t.users.create();
      const res = await t.call('GET', `/authz-probe/clinics/${newObjectId()}/members`, { token: outsider.token });
      expectError(res, 403, FORBIDDEN_MESSAGE);
    });

    it('should validate after authorization: a member with a malformed request gets 400', async () => {
      const res = await t.call('GET', url(), { token: member.token, query: { limit: 5000 } });
      expectValidationError(res, 'limit');
    });

    it('should reach the handler with the principal and the clinician record read by the guard', async () => {
      const res = await t.call<any>('GET', url(), { token: member.token });
      expect(res.status).toBe(200);
      expect(res.body.membership).toMatchObject({ clinicId, userId: member.userId, roles: ['CLINIC_MEMBER'] });
    });

    it('should let a server token through without a clinician record, and hand the handler none', async () => {
      const res = await t.call<any>('GET', url(), { token: server });
      expect(res.status).toBe(200);
      expect(res.body.membership).toBeNull();
    });
  });

  describe('rules', () => {
    it('should deny a route without any rule to everyone', async () => {
      for (const token of [server, admin.token]) {
        expectError(await t.call('GET', '/authz-probe/forgotten', { token }), 403, FORBIDDEN_MESSAGE);
      }
    });

    it('should let the declared PUBLIC rule through without a session token, and nothing else', async () => {
      for (const url of ['/authz-probe/public', '/authz-probe-public/open']) {
        const res = await t.call<any>('GET', url);
        expect({ url, status: res.status }).toEqual({ url, status: 200 });
        // A token, even an invalid one, is not looked at.
        expect((await t.call('GET', url, { token: 'garbage' })).status).toBe(200);
      }
      // A handler's own rule overrides its controller's PUBLIC one.
      expectError(await t.call('GET', '/authz-probe-public/guarded'), 400, 'session token is missing');
      expectError(await t.call('GET', '/authz-probe-public/guarded', { token: admin.token }), 403, FORBIDDEN_MESSAGE);
      expect((await t.call('GET', '/authz-probe-public/guarded', { token: server })).status).toBe(200);
      // PUBLIC among other rules is not public.
      expectError(await t.call('GET', '/authz-probe/mixed'), 400, 'session token is missing');
      expectError(await t.call('GET', '/authz-probe/mixed', { token: admin.token }), 403, FORBIDDEN_MESSAGE);
      expect((await t.call('GET', '/authz-probe/mixed', { token: server })).status).toBe(200);
      // And a route without rules stays denied.
      expectError(await t.call('GET', '/authz-probe/forgotten'), 400, 'session token is missing');
    });

    it('should tell server tokens from user tokens', async () => {
      const srv = await t.call<any>('GET', '/authz-probe/server', { token: server });
      expect(srv.status).toBe(200);
      expect(srv.body.principal).toEqual({ subjectId: 'hydrophone', isServer: true });
      expectError(await t.call('GET', '/authz-probe/server', { token: admin.token }), 403, FORBIDDEN_MESSAGE);
      expect((await t.call('GET', '/authz-probe/user', { token: admin.token })).status).toBe(200);
      expectError(await t.call('GET', '/authz-probe/user', { token: server }), 403, FORBIDDEN_MESSAGE);
    });

    it('should let only admins (and servers) through an admin rule, before validating the body', async () => {
      const url = `/authz-probe/clinics/${clinicId}/admins`;
      expectError(await t.call('DELETE', url, { token: member.token, body: {} }), 403, FORBIDDEN_MESSAGE);
      expectError(await t.call('DELETE', url, { token: prescriber.token, body: {} }), 403, FORBIDDEN_MESSAGE);
      expectValidationError(await t.call('DELETE', url, { token: admin.token, body: {} }), 'name');
      expect((await t.call('DELETE', url, { token: server, body: { name: 'x' } })).status).toBe(200);
    });

    it('should treat PRESCRIBER-only as a non-member, yet count it as a clinician record', async () => {
      expectError(
        await t.call('GET', `/authz-probe/clinics/${clinicId}/members`, { token: prescriber.token }),
        403,
        FORBIDDEN_MESSAGE,
      );
      expect(
        (await t.call('GET', `/authz-probe/clinics/${clinicId}/records`, { token: prescriber.token })).status,
      ).toBe(200);
      const outsider = await t.users.create();
      expectError(
        await t.call('GET', `/authz-probe/clinics/${clinicId}/records`, { token: outsider.token }),
        403,
        FORBIDDEN_MESSAGE,
      );
    });

    it('should allow the user named in the path with a user token only', async () => {
      const url = (userId: string) => `/authz-probe/clinics/${clinicId}/users/${userId}`;
      expect((await t.call('GET', url(member.userId), { token: member.token })).status).toBe(200);
      expectError(await t.call('GET', url(admin.userId), { token: member.token }), 403, FORBIDDEN_MESSAGE);
      const serverNamedLikeUser = await t.tokens.server(member.userId);
      expectError(await t.call('GET', url(member.userId), { token: serverNamedLikeUser }), 403, FORBIDDEN_MESSAGE);
    });

    it('should combine self with membership where the rule says so', async () => {
      const url = (userId: string) => `/authz-probe/clinics/${clinicId}/users/${userId}`;
      expect((await t.call('DELETE', url(member.userId), { token: member.token })).status).toBe(200);
      expectError(await t.call('DELETE', url(admin.userId), { token: member.token }), 403, FORBIDDEN_MESSAGE);
      expectError(await t.call('DELETE', url(prescriber.userId), { token: prescriber.token }), 403, FORBIDDEN_MESSAGE);
      expect((await t.call('DELETE', url(member.userId), { token: admin.token })).status).toBe(200);
    });

    it('should allow servers only for the literal parameter value', async () => {
      expect((await t.call('GET', '/authz-probe/permissions/custodian', { token: server })).status).toBe(200);
      expectError(await t.call('GET', '/authz-probe/permissions/upload', { token: server }), 403, FORBIDDEN_MESSAGE);
    });

    it('should not take identity from headers other than the session token', async () => {
      const res = await t.call('GET', '/authz-probe/server', {
        token: admin.token,
        headers: { 'x-auth-subject-id': 'hydrophone', 'x-auth-server-access': 'true' },
      });
      expectError(res, 403, FORBIDDEN_MESSAGE);
    });

    it('should ignore records of invited, not yet accepted clinicians', async () => {
      const inviteOnlyClinic = newObjectId();
      await t.connection.collection('clinicians').insertOne({
        clinicId: inviteOnlyClinic,
        inviteId: randomBytes(8).toString('hex'),
        roles: ['CLINIC_ADMIN'],
        name: null,
        createdTime: new Date(),
        updatedTime: new Date(),
      });
      const outsider = await t.users.create();
      expectError(
        await t.call('GET', `/authz-probe/clinics/${inviteOnlyClinic}/members`, { token: outsider.token }),
        403,
        FORBIDDEN_MESSAGE,
      );
    });
  });
});

describe('authorization guard start-up', () => {
  it('should fail start-up when no module provides the clinician membership lookup', async () => {
    const moduleRef = await Test.createTestingModule({ providers: [AuthorizationGuard] }).compile();
    await expect(moduleRef.init()).rejects.toThrow('no ClinicianMembershipLookup provider was found');
  });
});
