import { authConfig } from '../../../src/config/auth.config';
import { FORBIDDEN_MESSAGE } from '../../../src/auth/authorization/authorization.guard';
import { AuthzProbeModule } from '../../support/authz-probe.module';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { TidepoolStub } from '../../support/tidepool-stub';

describe('AUTH_PROVIDER=shoreline through the whole request pipeline', () => {
  let stub: TidepoolStub;
  beforeAll(async () => {
    stub = await TidepoolStub.start();
  });
  afterAll(() => stub.stop());
  const t = useTestApp(() => ({
    imports: [AuthzProbeModule],
    override: (builder) => builder.overrideProvider(authConfig.KEY).useValue(stub.config()),
  }));

  beforeEach(() => {
    stub.reset();
    stub.tokens.set('user-token', { userid: '0123456789', isserver: false, identityProvider: 'hospital-sso' });
    stub.tokens.set('server-token', { UserID: 'hydrophone', IsServer: true });
  });

  it('should accept a user token the auth service vouches for, with its identity provider', async () => {
    const res = await t.call<any>('GET', '/authz-probe/user', { token: 'user-token' });
    expect(res.status).toBe(200);
    expect(res.body.principal).toEqual({ subjectId: '0123456789', isServer: false, identityProvider: 'hospital-sso' });
    expect(stub.count('serverlogin')).toBe(1);
    expect(stub.last('token')?.headers['x-tidepool-session-token']).toMatch(/^server-token-/);
  });

  it('should apply the same rules to its server tokens, and ask the auth service only once for them', async () => {
    expect((await t.call('GET', '/authz-probe/server', { token: 'server-token' })).status).toBe(200);
    const lookups = stub.count('token');
    expect(lookups).toBeGreaterThan(0);
    expect((await t.call('GET', '/authz-probe/server', { token: 'server-token' })).status).toBe(200);
    expect(stub.count('token')).toBe(lookups);
    expectError(await t.call('GET', '/authz-probe/server', { token: 'user-token' }), 403, FORBIDDEN_MESSAGE);
  });

  it('should answer 401 for a token the auth service does not know', async () => {
    expectError(await t.call('GET', '/authz-probe/user', { token: 'unknown' }), 401, 'session token is invalid');
  });

  it('should answer 401, not 500, when the auth service is down', async () => {
    stub.mode = 'error';
    expectError(await t.call('GET', '/authz-probe/user', { token: 'user-token' }), 401, 'session token is invalid');
    stub.mode = 'close';
    expectError(await t.call('GET', '/authz-probe/user', { token: 'user-token' }), 401, 'session token is invalid');
  });

  it('should still answer 400 when the token is missing', async () => {
    expectError(await t.call('GET', '/authz-probe/user'), 400, 'session token is missing');
  });
});
