import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import {
  createScenarioClinic,
  getProgramsRequest,
  getProgramUrlRequest,
  orderNotification,
  preorderInitial,
  putXealthSettings,
  xealth,
  xealthApp,
  XEALTH_TOKEN,
  useXealthStub,
} from './xealth.fixtures';

const WEBHOOKS: Array<{ method: 'POST' | 'PUT'; path: string; body: () => unknown }> = [
  { method: 'POST', path: 'preorder', body: () => preorderInitial() },
  { method: 'POST', path: 'notification', body: () => orderNotification('order-1') },
  { method: 'PUT', path: 'programs', body: () => getProgramsRequest() },
  { method: 'PUT', path: 'program', body: () => getProgramUrlRequest() },
];

describe('Xealth webhooks: bearer token', () => {
  const stub = useXealthStub();
  const t = useTestApp(xealthApp(stub));

  beforeAll(async () => {
    const { clinicId } = await createScenarioClinic(t);
    await putXealthSettings(t, clinicId);
  });

  it.each(WEBHOOKS)('$method /v1/xealth/$path: 401 without the header or the Bearer prefix', async (hook) => {
    const variants: Array<Record<string, string>> = [
      {},
      { authorization: '' },
      { authorization: XEALTH_TOKEN },
      { authorization: `Basic ${XEALTH_TOKEN}` },
    ];
    for (const headers of variants) {
      expectError(
        await xealth(t, hook.method, hook.path, hook.body(), headers),
        401,
        'unauthorized: bearer token is required',
      );
    }
  });

  it.each(WEBHOOKS)('$method /v1/xealth/$path: 401 for another token', async (hook) => {
    for (const token of ['wrong', `${XEALTH_TOKEN}x`, XEALTH_TOKEN.slice(0, -1), ' ']) {
      expectError(
        await xealth(t, hook.method, hook.path, hook.body(), { authorization: `Bearer ${token}` }),
        401,
        'unauthorized: bearer token is invalid',
      );
    }
  });

  it.each(WEBHOOKS)(
    '$method /v1/xealth/$path: a session token does not stand in for the bearer token',
    async (hook) => {
      const res = await t.call(hook.method, `/v1/xealth/${hook.path}`, {
        body: hook.body(),
        token: await t.tokens.server(),
      });
      expectError(res, 401, 'unauthorized: bearer token is required');
    },
  );

  it('should store nothing and call nobody for refused requests', async () => {
    for (const hook of WEBHOOKS) await xealth(t, hook.method, hook.path, hook.body(), { authorization: 'Bearer no' });
    expect(stub().requests).toHaveLength(0);
    for (const name of ['xealth_preorder', 'xealth_order', 'xealth_report_view']) {
      expect(await t.connection.collection(name).countDocuments()).toBe(0);
    }
  });

  it('should accept the right token without a session token', async () => {
    const res = await xealth(t, 'PUT', 'programs', getProgramsRequest());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ present: false });
  });
});

describe('Xealth disabled (XEALTH_ENABLED unset)', () => {
  const stub = useXealthStub();
  const t = useTestApp(xealthApp(stub, { enabled: false }));

  it.each(WEBHOOKS)('$method /v1/xealth/$path: 404, whatever the token', async (hook) => {
    const variants: Array<Record<string, string>> = [{}, { authorization: `Bearer ${XEALTH_TOKEN}` }];
    for (const headers of variants) {
      expectError(
        await xealth(t, hook.method, hook.path, hook.body(), headers),
        404,
        'the xealth integration is not enabled',
      );
    }
  });

  it('should answer 404 for the report viewer and its assets', async () => {
    for (const url of [
      '/v1/xealth/report/web/viewer.html?clinicId=a&patientId=b&restricted_token=c',
      '/v1/xealth/report/web/viewer.html',
      '/v1/xealth/report/build/pdf.mjs',
    ]) {
      expectError(await t.call('GET', url), 404, 'the xealth integration is not enabled');
    }
    expect(stub().requests).toHaveLength(0);
  });
});
