import { ServerTokenProvider } from '../../../src/auth/tokens/server-token.provider';
import { STUB_SERVER_NAME, STUB_SERVER_SECRET, TidepoolStub } from '../../support/tidepool-stub';

describe('ServerTokenProvider', () => {
  let stub: TidepoolStub;
  let clock: number;
  const now = (): number => clock;

  beforeAll(async () => {
    stub = await TidepoolStub.start();
  });

  afterAll(async () => {
    await stub.stop();
  });

  beforeEach(() => {
    stub.reset();
    clock = 1_000_000;
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  function provider(options: { serverTokenRefreshMs?: number; timeoutMs?: number } = {}): ServerTokenProvider {
    return new ServerTokenProvider(stub.config(), { now, ...options });
  }

  it('should log in with the server name and secret headers and return the session token header', async () => {
    const token = await provider().getToken();

    expect(token).toBe('server-token-1');
    expect(stub.count('serverlogin')).toBe(1);
    const login = stub.last('serverlogin');
    expect(login?.method).toBe('POST');
    expect(login?.path).toBe('/shoreline/serverlogin');
    expect(login?.headers['x-tidepool-server-name']).toBe(STUB_SERVER_NAME);
    expect(login?.headers['x-tidepool-server-secret']).toBe(STUB_SERVER_SECRET);
  });

  it('should reuse the token while it is younger than the refresh interval', async () => {
    const tokens = provider({ serverTokenRefreshMs: 60_000 });
    const first = await tokens.getToken();
    clock += 59_999;

    expect(await tokens.getToken()).toBe(first);
    expect(stub.count('serverlogin')).toBe(1);
  });

  it('should renew the token once it is older than the refresh interval', async () => {
    const tokens = provider({ serverTokenRefreshMs: 60_000 });
    await tokens.getToken();
    clock += 60_000;

    expect(await tokens.getToken()).toBe('server-token-2');
    expect(stub.count('serverlogin')).toBe(2);
  });

  it('should renew after 50 minutes by default', async () => {
    const tokens = provider();
    await tokens.getToken();
    clock += 49 * 60_000;
    expect(await tokens.getToken()).toBe('server-token-1');
    clock += 60_000;

    expect(await tokens.getToken()).toBe('server-token-2');
  });

  it('should log in again after invalidate()', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    tokens.invalidate(first);

    expect(await tokens.getToken()).toBe('server-token-2');
    expect(stub.count('serverlogin')).toBe(2);
  });

  it('should ignore invalidate() for a token that was already replaced', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    tokens.invalidate(first);
    await tokens.getToken();
    tokens.invalidate(first);

    expect(await tokens.getToken()).toBe('server-token-2');
    expect(stub.count('serverlogin')).toBe(2);
  });

  it('should share one login among concurrent callers', async () => {
    stub.loginDelayMs = 50;
    const tokens = provider();

    const results = await Promise.all([tokens.getToken(), tokens.getToken(), tokens.getToken(), tokens.getToken()]);

    expect(new Set(results)).toEqual(new Set(['server-token-1']));
    expect(stub.count('serverlogin')).toBe(1);
  });

  it('should throw when the login is refused and try again on the next call', async () => {
    stub.loginStatus = 401;
    const tokens = provider();

    await expect(tokens.getToken()).rejects.toThrow('server login failed: the auth service answered 401');
    stub.loginStatus = undefined;
    expect(await tokens.getToken()).toBe('server-token-1');
    expect(stub.count('serverlogin')).toBe(2);
  });

  it('should throw when the secret is wrong', async () => {
    const tokens = new ServerTokenProvider(stub.config({ serverSecret: 'wrong' }), { now });

    await expect(tokens.getToken()).rejects.toThrow('answered 401');
  });

  it('should throw when the answer has no session token header', async () => {
    stub.loginStatus = 200;

    await expect(provider().getToken()).rejects.toThrow('no x-tidepool-session-token header');
  });

  it('should throw when the auth service is unreachable', async () => {
    stub.mode = 'close';

    await expect(provider().getToken()).rejects.toThrow(/^server login failed/);
  });

  it('should throw when the auth service does not answer in time', async () => {
    stub.mode = 'hang';

    await expect(provider({ timeoutMs: 100 }).getToken()).rejects.toThrow('server login failed: timed out');
  });

  it('should throw when the auth service is not configured', async () => {
    const tokens = new ServerTokenProvider(stub.config({ authServiceUrl: undefined }));

    await expect(tokens.getToken()).rejects.toThrow('server login is not configured');
    expect(stub.count('serverlogin')).toBe(0);
  });

  describe('send', () => {
    it('should send the server token and renew it once after a 401', async () => {
      stub.tokens.set('abc', { userid: '1234567890', isserver: false });
      const tokens = provider();
      const request = { operation: 'GET /token', method: 'GET' as const, url: `${stub.authServiceUrl}/token/abc` };
      await tokens.send(request);
      stub.revokeServerTokens();

      const response = await tokens.send(request);

      expect(response.status).toBe(200);
      expect(stub.count('serverlogin')).toBe(2);
      expect(stub.count('token')).toBe(3);
      expect(stub.last('token')?.headers['x-tidepool-session-token']).toBe('server-token-2');
    });

    it('should return the second 401 without a third attempt', async () => {
      const tokens = provider();
      await tokens.getToken();
      // Every login succeeds but its token is refused right away.
      const serverTokens = stub.serverTokens;
      jest.spyOn(serverTokens, 'has').mockReturnValue(false);

      const response = await tokens.send({ operation: 'x', method: 'GET', url: `${stub.authServiceUrl}/user/1` });

      expect(response.status).toBe(401);
      expect(stub.count('getUser')).toBe(2);
      expect(stub.count('serverlogin')).toBe(2);
    });
  });
});
