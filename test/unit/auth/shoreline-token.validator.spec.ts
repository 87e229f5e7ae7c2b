import { Logger } from '@nestjs/common';
import type { TidepoolClientOptions } from '../../../src/auth/tidepool-http';
import { ServerTokenProvider } from '../../../src/auth/tokens/server-token.provider';
import { ShorelineTokenValidator } from '../../../src/auth/tokens/shoreline-token.validator';
import type { AuthConfig } from '../../../src/config/auth.config';
import { TidepoolStub } from '../../support/tidepool-stub';

describe('ShorelineTokenValidator', () => {
  let stub: TidepoolStub;

  beforeAll(async () => {
    stub = await TidepoolStub.start();
  });

  afterAll(async () => {
    await stub.stop();
  });

  beforeEach(() => {
    stub.reset();
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function validator(options: TidepoolClientOptions = {}, config: AuthConfig = stub.config()): ShorelineTokenValidator {
    return new ShorelineTokenValidator(config, new ServerTokenProvider(config, options), options);
  }

  it('should accept a user token and ask the auth service every time', async () => {
    stub.tokens.set('user-token', { userid: '1234567890', isserver: false });
    const tokens = validator();

    expect(await tokens.validate('user-token')).toEqual({ subjectId: '1234567890', isServer: false });
    expect(await tokens.validate('user-token')).toEqual({ subjectId: '1234567890', isServer: false });
    expect(stub.count('token')).toBe(2);
  });

  it('should send our server token and the URL-encoded token', async () => {
    stub.tokens.set('a/b c', { userid: '1234567890', isserver: false });

    expect(await validator().validate('a/b c')).toBeDefined();
    const check = stub.last('token');
    expect(check?.path).toBe('/shoreline/token/a%2Fb%20c');
    expect(check?.headers['x-tidepool-session-token']).toBe('server-token-1');
  });

  it('should accept a server token and answer the second check from the cache', async () => {
    stub.tokens.set('server-token', { userid: 'hydrophone', isserver: true });
    const tokens = validator();

    expect(await tokens.validate('server-token')).toEqual({ subjectId: 'hydrophone', isServer: true });
    expect(await tokens.validate('server-token')).toEqual({ subjectId: 'hydrophone', isServer: true });
    expect(stub.count('token')).toBe(1);
  });

  it('should not let a caller change the cached principal', async () => {
    stub.tokens.set('server-token', { userid: 'hydrophone', isserver: true });
    const tokens = validator();
    const first = await tokens.validate('server-token');
    first!.subjectId = 'changed';

    expect(await tokens.validate('server-token')).toEqual({ subjectId: 'hydrophone', isServer: true });
  });

  it('should check a cached server token again once the cache entry expired', async () => {
    stub.tokens.set('server-token', { userid: 'hydrophone', isserver: true });
    const tokens = validator({ tokenCacheTtlMs: 50 });
    await tokens.validate('server-token');
    await new Promise((resolve) => setTimeout(resolve, 80));

    expect(await tokens.validate('server-token')).toEqual({ subjectId: 'hydrophone', isServer: true });
    expect(stub.count('token')).toBe(2);
  });

  it('should keep at most the configured number of cached server tokens', async () => {
    for (const name of ['s1', 's2', 's3']) stub.tokens.set(name, { userid: name, isserver: true });
    const tokens = validator({ tokenCacheMax: 2 });
    for (const name of ['s1', 's2', 's3']) await tokens.validate(name);

    await tokens.validate('s3');
    await tokens.validate('s1');

    expect(stub.count('token')).toBe(4);
  });

  it('should read the keys case-insensitively and keep the identity provider', async () => {
    stub.tokens.set('go-style', { UserID: '1234567890', IsServer: false, identityProvider: 'keycloak' });
    stub.tokens.set('lower', { userid: 'svc', isserver: true, identityprovider: 'other' });
    const tokens = validator();

    expect(await tokens.validate('go-style')).toEqual({
      subjectId: '1234567890',
      isServer: false,
      identityProvider: 'keycloak',
    });
    expect(await tokens.validate('lower')).toEqual({ subjectId: 'svc', isServer: true, identityProvider: 'other' });
  });

  it('should reject an unknown token (404) and not cache the failure', async () => {
    const tokens = validator();

    expect(await tokens.validate('unknown')).toBeUndefined();
    stub.tokens.set('unknown', { userid: 'svc', isserver: true });
    expect(await tokens.validate('unknown')).toEqual({ subjectId: 'svc', isServer: true });
    expect(stub.count('token')).toBe(2);
  });

  it('should reject an answer without a user id', async () => {
    stub.tokens.set('empty', { userid: '', isserver: true });
    stub.tokens.set('missing', { isserver: true });
    stub.tokens.set('number', { userid: 42, isserver: true });
    const tokens = validator();

    expect(await tokens.validate('empty')).toBeUndefined();
    expect(await tokens.validate('missing')).toBeUndefined();
    expect(await tokens.validate('number')).toBeUndefined();
  });

  it('should reject an answer that is not JSON', async () => {
    stub.tokens.set('broken', '{"userid": "1234567890"');
    stub.tokens.set('array', '["1234567890"]');
    const tokens = validator();

    expect(await tokens.validate('broken')).toBeUndefined();
    expect(await tokens.validate('array')).toBeUndefined();
  });

  it('should reject an empty token without asking', async () => {
    expect(await validator().validate('')).toBeUndefined();
    expect(stub.requests).toHaveLength(0);
  });

  it('should reject every token when the auth service answers 500', async () => {
    stub.tokens.set('user-token', { userid: '1234567890', isserver: false });
    stub.tokens.set('server-token', { userid: 'svc', isserver: true });
    const tokens = validator();
    expect(await tokens.validate('user-token')).toBeDefined();
    stub.mode = 'error';

    expect(await tokens.validate('user-token')).toBeUndefined();
    expect(await tokens.validate('server-token')).toBeUndefined();
    expect(stub.count('token')).toBe(3);
  });

  it('should reject every token when the auth service closes the connection', async () => {
    stub.tokens.set('user-token', { userid: '1234567890', isserver: false });
    const tokens = validator();
    expect(await tokens.validate('user-token')).toBeDefined();
    stub.mode = 'close';

    expect(await tokens.validate('user-token')).toBeUndefined();
  });

  it('should reject every token when the auth service does not answer in time', async () => {
    stub.tokens.set('user-token', { userid: '1234567890', isserver: false });
    const tokens = validator({ timeoutMs: 1000 });
    expect(await tokens.validate('user-token')).toBeDefined();
    stub.mode = 'hang';

    expect(await tokens.validate('user-token')).toBeUndefined();
  });

  it('should reject every token when the auth service is stopped', async () => {
    const stopped = await TidepoolStub.start();
    const config = stopped.config();
    await stopped.stop();

    expect(await validator({}, config).validate('user-token')).toBeUndefined();
  });

  it('should reject every token when our server login fails, and not cache the failure', async () => {
    stub.tokens.set('server-token', { userid: 'svc', isserver: true });
    stub.loginStatus = 500;
    const tokens = validator();

    expect(await tokens.validate('server-token')).toBeUndefined();
    expect(stub.count('token')).toBe(0);
    stub.loginStatus = undefined;
    expect(await tokens.validate('server-token')).toEqual({ subjectId: 'svc', isServer: true });
  });

  it('should renew our server token and retry once when the auth service answers 401', async () => {
    stub.tokens.set('user-token', { userid: '1234567890', isserver: false });
    const tokens = validator();
    await tokens.validate('user-token');
    stub.revokeServerTokens();

    expect(await tokens.validate('user-token')).toEqual({ subjectId: '1234567890', isServer: false });
    expect(stub.count('serverlogin')).toBe(2);
    expect(stub.count('token')).toBe(3);
  });

  it('should reject the token when the retry is refused too', async () => {
    stub.tokens.set('user-token', { userid: '1234567890', isserver: false });
    const tokens = validator();
    await tokens.validate('user-token');
    jest.spyOn(stub.serverTokens, 'has').mockReturnValue(false);

    expect(await tokens.validate('user-token')).toBeUndefined();
    expect(stub.count('token')).toBe(3);
  });

  it('should reject every token when the auth service is not configured', async () => {
    const config = stub.config({ authServiceUrl: undefined });

    expect(await validator({}, config).validate('user-token')).toBeUndefined();
    expect(stub.requests).toHaveLength(0);
  });
});
