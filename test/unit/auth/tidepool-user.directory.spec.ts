import { TidepoolUserDirectory } from '../../../src/auth/directory/tidepool-user.directory';
import type { TidepoolClientOptions } from '../../../src/auth/tidepool-http';
import { ServerTokenProvider } from '../../../src/auth/tokens/server-token.provider';
import { ApiError } from '../../../src/common/errors/api-error';
import type { AuthConfig } from '../../../src/config/auth.config';
import { signHs256, STUB_CLIENT_ID, STUB_CLIENT_SECRET, TidepoolStub } from '../../support/tidepool-stub';

describe('TidepoolUserDirectory', () => {
  let stub: TidepoolStub;

  const clinician = {
    userid: '1234567890',
    username: 'clinician@example.com',
    emails: ['clinician@example.com'],
    roles: ['clinic'],
    emailVerified: true,
    termsAccepted: '2024-01-01T00:00:00Z',
  };
  const credentials = { clientId: STUB_CLIENT_ID, clientSecret: STUB_CLIENT_SECRET, name: 'Integration' };

  beforeAll(async () => {
    stub = await TidepoolStub.start();
  });

  afterAll(async () => {
    await stub.stop();
  });

  beforeEach(() => {
    stub.reset();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function directory(config: AuthConfig = stub.config(), options: TidepoolClientOptions = {}): TidepoolUserDirectory {
    return new TidepoolUserDirectory(config, new ServerTokenProvider(config, options), options);
  }

  async function expectDuplicate(promise: Promise<unknown>): Promise<void> {
    const error: unknown = await promise.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, message: 'duplicate: email address is already taken' });
  }

  describe('getUser', () => {
    it('should map the user and send our server token', async () => {
      stub.users.set(clinician.userid, clinician);

      expect(await directory().getUser('1234567890')).toEqual({
        userId: '1234567890',
        username: 'clinician@example.com',
        emails: ['clinician@example.com'],
        roles: ['clinic'],
      });
      const request = stub.last('getUser');
      expect(request?.path).toBe('/shoreline/user/1234567890');
      expect(request?.headers['x-tidepool-session-token']).toBe('server-token-1');
    });

    it('should read Go-style keys and default missing lists to empty', async () => {
      stub.users.set('abc', { UserID: 'abc', UserName: 'x@example.com' } as never);

      expect(await directory().getUser('abc')).toEqual({
        userId: 'abc',
        username: 'x@example.com',
        emails: [],
        roles: [],
      });
    });

    it('should return undefined for an unknown user', async () => {
      expect(await directory().getUser('0000000000')).toBeUndefined();
    });

    it('should throw when the auth service answers 500', async () => {
      stub.users.set(clinician.userid, clinician);
      const users = directory();
      await users.getUser(clinician.userid);
      stub.mode = 'error';

      await expect(users.getUser(clinician.userid)).rejects.toThrow('GET /user/{id}: unexpected answer 500');
    });

    it('should throw when the auth service is unreachable', async () => {
      stub.mode = 'close';

      await expect(directory().getUser(clinician.userid)).rejects.toThrow(/server login failed/);
    });

    it('should throw when the answer has no user id', async () => {
      stub.users.set('abc', { emails: [] } as never);

      await expect(directory().getUser('abc')).rejects.toThrow('GET /user/{id}: the answer is not a user');
    });

    it('should renew our server token once after a 401', async () => {
      stub.users.set(clinician.userid, clinician);
      const users = directory();
      await users.getUser(clinician.userid);
      stub.revokeServerTokens();

      expect(await users.getUser(clinician.userid)).toMatchObject({ userId: clinician.userid });
      expect(stub.count('serverlogin')).toBe(2);
    });

    it('should throw when the auth service is not configured', async () => {
      await expect(directory(stub.config({ authServiceUrl: undefined })).getUser('1')).rejects.toThrow(
        'AUTH_SERVICE_URL is not configured',
      );
    });

    it('should throw when the auth service does not answer in time', async () => {
      stub.users.set(clinician.userid, clinician);
      const users = directory(stub.config(), { timeoutMs: 1000 });
      await users.getUser(clinician.userid);
      stub.mode = 'hang';

      await expect(users.getUser(clinician.userid)).rejects.toThrow('GET /user/{id} failed: timed out');
    });
  });

  describe('findUserByEmail', () => {
    it('should look the user up by the URL-encoded e-mail', async () => {
      stub.users.set('1234567891', { userid: '1234567891', username: 'a+b@example.com', emails: ['a+b@example.com'] });

      expect(await directory().findUserByEmail('A+B@example.com')).toMatchObject({ userId: '1234567891' });
      expect(stub.last('getUser')?.path).toBe('/shoreline/user/A%2BB%40example.com');
    });

    it('should return undefined for an unknown e-mail', async () => {
      expect(await directory().findUserByEmail('nobody@example.com')).toBeUndefined();
    });

    it('should throw when the auth service answers 500', async () => {
      stub.mode = 'error';

      await expect(directory().findUserByEmail('x@example.com')).rejects.toThrow();
    });
  });

  describe('getProfile', () => {
    it('should map the profile', async () => {
      stub.profiles.set('1234567890', {
        fullName: 'Clinician 1',
        patient: { fullName: 'Patient 1', birthday: '2010-01-01', mrn: 'M1', targetDevices: ['x'] },
        other: true,
      });

      expect(await directory().getProfile('1234567890')).toEqual({
        fullName: 'Clinician 1',
        patient: { fullName: 'Patient 1', birthday: '2010-01-01', mrn: 'M1', targetDevices: ['x'] },
      });
      const request = stub.last('profile');
      expect(request?.path).toBe('/seagull/1234567890/profile');
      expect(request?.headers['x-tidepool-session-token']).toBe('server-token-1');
    });

    it('should return undefined for an unknown profile', async () => {
      expect(await directory().getProfile('0000000000')).toBeUndefined();
    });

    it('should throw when the profile service answers 500', async () => {
      stub.mode = 'error';

      await expect(directory().getProfile('1234567890')).rejects.toThrow();
    });

    it('should throw when the profile service is not configured', async () => {
      await expect(directory(stub.config({ profileServiceUrl: undefined })).getProfile('1')).rejects.toThrow(
        'PROFILE_SERVICE_URL is not configured',
      );
    });
  });

  describe('createCustodialUser', () => {
    it('should create the user with the e-mail as username', async () => {
      const user = await directory().createCustodialUser({ clinicId: 'clinic1', email: 'patient@example.com' });

      expect(user).toEqual({
        userId: expect.any(String),
        username: 'patient@example.com',
        emails: ['patient@example.com'],
        roles: [],
        custodial: true,
      });
      const request = stub.last('createCustodialUser');
      expect(request?.path).toBe('/shoreline/v1/clinics/clinic1/users');
      expect(JSON.parse(request!.body)).toEqual({ username: 'patient@example.com', emails: ['patient@example.com'] });
      expect(request?.headers['x-tidepool-session-token']).toBe('server-token-1');
      expect(stub.users.get(user.userId)).toBeDefined();
    });

    it('should send an empty body without an e-mail', async () => {
      const user = await directory().createCustodialUser({ clinicId: 'clinic1', fullName: 'No Mail' });

      expect(user).toEqual({ userId: expect.any(String), emails: [], roles: [], custodial: true });
      expect(JSON.parse(stub.last('createCustodialUser')!.body)).toEqual({});
    });

    it('should throw the duplicate ApiError when the e-mail is taken', async () => {
      stub.users.set(clinician.userid, clinician);

      await expectDuplicate(directory().createCustodialUser({ clinicId: 'c', email: clinician.username }));
    });

    it('should throw a plain Error for other failures', async () => {
      stub.mode = 'error';

      const error: unknown = await directory()
        .createCustodialUser({ clinicId: 'c', email: 'x@example.com' })
        .catch((reason: unknown) => reason);
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ApiError);
    });

    it('should throw a plain Error when the auth service answers 400', async () => {
      stub.routeStatus.set('createCustodialUser', 400);

      await expect(directory().createCustodialUser({ clinicId: 'c', email: 'x@example.com' })).rejects.toThrow(
        'POST /v1/clinics/{clinicId}/users: unexpected answer 400',
      );
    });
  });

  describe('removeCustodialUser', () => {
    it('should delete the user on the auth service with our server token', async () => {
      const users = directory();
      const user = await users.createCustodialUser({ clinicId: 'clinic1', email: 'gone@example.com' });

      await users.removeCustodialUser(user.userId);

      const request = stub.last('deleteUser');
      expect(request?.method).toBe('DELETE');
      expect(request?.path).toBe(`/shoreline/user/${user.userId}`);
      expect(request?.headers['x-tidepool-session-token']).toBe('server-token-1');
      expect(stub.users.get(user.userId)).toBeUndefined();
    });

    it('should accept an unknown user', async () => {
      await expect(directory().removeCustodialUser('0000000000')).resolves.toBeUndefined();
    });

    it('should throw when the auth service answers 500', async () => {
      stub.routeStatus.set('deleteUser', 500);

      await expect(directory().removeCustodialUser('1234567890')).rejects.toThrow(
        'DELETE /user/{id}: unexpected answer 500',
      );
    });
  });

  describe('updateUserEmail', () => {
    it('should send the new username and e-mails', async () => {
      stub.users.set('1234567891', { userid: '1234567891', username: 'old@example.com', emails: ['old@example.com'] });

      await directory().updateUserEmail('1234567891', 'new@example.com');

      const request = stub.last('updateUser');
      expect(request?.method).toBe('PUT');
      expect(request?.path).toBe('/shoreline/user/1234567891');
      expect(JSON.parse(request!.body)).toEqual({
        updates: { username: 'new@example.com', emails: ['new@example.com'] },
      });
      expect(stub.users.get('1234567891')?.username).toBe('new@example.com');
    });

    it('should throw the duplicate ApiError when the e-mail is taken', async () => {
      stub.users.set(clinician.userid, clinician);
      stub.users.set('1234567891', { userid: '1234567891', emails: [] });

      await expectDuplicate(directory().updateUserEmail('1234567891', clinician.username));
    });

    it('should throw a plain Error for an unknown user', async () => {
      await expect(directory().updateUserEmail('0000000000', 'x@example.com')).rejects.toThrow(
        'PUT /user/{id}: unexpected answer 404',
      );
    });
  });

  describe('restricted tokens', () => {
    it('should create a restricted token and read it back', async () => {
      const users = directory();

      const created = await users.createRestrictedToken('1234567890');

      expect(created).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        userId: '1234567890',
        expirationTime: expect.any(String),
        createdTime: expect.any(String),
      });
      const request = stub.last('createRestrictedToken');
      expect(request?.path).toBe('/auth/v1/users/1234567890/restricted_tokens');
      expect(JSON.parse(request!.body)).toEqual({});
      expect(request?.headers['x-tidepool-session-token']).toBe('server-token-1');
      expect(await users.getRestrictedToken(created.id)).toEqual(created);
      expect(stub.last('getRestrictedToken')?.path).toBe(`/auth/v1/restricted_tokens/${created.id}`);
    });

    it('should return undefined for an unknown restricted token', async () => {
      expect(await directory().getRestrictedToken('ffffffffffffffffffffffffffffffff')).toBeUndefined();
    });

    it('should throw when the auth API answers 500', async () => {
      const users = directory();
      await users.getRestrictedToken('x');
      stub.mode = 'error';

      await expect(users.createRestrictedToken('1234567890')).rejects.toThrow('unexpected answer 500');
      await expect(users.getRestrictedToken('x')).rejects.toThrow('unexpected answer 500');
    });

    it('should throw when the answer is not a restricted token', async () => {
      stub.restrictedTokens.set('partial', { id: 'partial', userId: '' } as never);

      await expect(directory().getRestrictedToken('partial')).rejects.toThrow('the answer is not a restricted token');
    });

    it('should throw when the auth API is not configured', async () => {
      await expect(directory(stub.config({ authApiUrl: undefined })).createRestrictedToken('1')).rejects.toThrow(
        'AUTH_API_URL is not configured',
      );
    });
  });

  describe('resolveServiceAccount', () => {
    it('should return the subject of the id_token from a client-credentials grant', async () => {
      stub.serviceAccountSubject = '9999999999';

      expect(await directory().resolveServiceAccount(credentials)).toEqual({ userId: '9999999999' });
      const request = stub.last('oauthToken');
      expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(Object.fromEntries(new URLSearchParams(request!.body))).toEqual({
        grant_type: 'client_credentials',
        scope: 'openid',
        client_id: STUB_CLIENT_ID,
        client_secret: STUB_CLIENT_SECRET,
      });
      expect(stub.count('serverlogin')).toBe(0);
    });

    it('should not verify the id_token signature', async () => {
      stub.idTokenOverride = signHs256({ sub: '8888888888' }, 'some-other-key');

      expect(await directory().resolveServiceAccount(credentials)).toEqual({ userId: '8888888888' });
    });

    it('should throw when the token endpoint is missing', async () => {
      const users = directory(stub.config({ serviceAccountTokenEndpoint: undefined }));

      await expect(users.resolveServiceAccount(credentials)).rejects.toThrow('token endpoint is missing');
    });

    it('should throw when the grant fails', async () => {
      const users = directory();

      await expect(users.resolveServiceAccount({ ...credentials, clientSecret: 'wrong' })).rejects.toThrow(
        'client-credentials grant failed, the token endpoint answered 401',
      );
    });

    it('should throw when the token endpoint is unreachable', async () => {
      stub.mode = 'close';

      await expect(directory().resolveServiceAccount(credentials)).rejects.toThrow(
        'service account client-credentials grant failed',
      );
    });

    it('should throw when the answer has no id_token', async () => {
      stub.idTokenOverride = null;

      await expect(directory().resolveServiceAccount(credentials)).rejects.toThrow(
        'the token response has no id_token',
      );
    });

    it('should throw when the id_token cannot be parsed', async () => {
      stub.idTokenOverride = 'not-a-jwt';

      await expect(directory().resolveServiceAccount(credentials)).rejects.toThrow(
        'the id_token is not a parsable JWT',
      );
    });

    it('should throw when the id_token has no subject', async () => {
      stub.idTokenOverride = signHs256({ sub: '' });

      await expect(directory().resolveServiceAccount(credentials)).rejects.toThrow('the id_token has no subject');
    });
  });
});
