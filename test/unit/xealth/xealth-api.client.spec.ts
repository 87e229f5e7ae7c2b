import { XealthApiClient } from '../../../src/modules/xealth/xealth-api.client';
import { XealthStub } from '../../support/xealth-stub';

describe('Xealth API client', () => {
  let stub: XealthStub;
  let now: number;
  let client: XealthApiClient;

  beforeEach(async () => {
    stub = await XealthStub.start();
    now = Date.parse('2026-01-01T00:00:00Z');
    client = new XealthApiClient(
      {
        enabled: true,
        bearerToken: 'b',
        clientId: 'client-id',
        clientSecret: 'client-secret',
        tokenUrl: stub.tokenUrl,
        apiUrl: stub.url,
      },
      () => now,
    );
    stub.setOrder('deployment', 'order-1', { orderInfo: { orderId: 'order-1' } });
  });
  afterEach(() => stub.stop());

  it('should read an order with a client-credentials token, cached until 30 s before it expires', async () => {
    stub.expiresIn = 120;
    expect(await client.readOrder('deployment', 'order-1')).toEqual({ orderInfo: { orderId: 'order-1' } });
    now += 89_000;
    await client.readOrder('deployment', 'order-1');
    expect(stub.requestsTo('/oauth2/token')).toHaveLength(1);
    now += 1_000;
    await client.readOrder('deployment', 'order-1');
    expect(stub.requestsTo('/oauth2/token')).toHaveLength(2);
    const grant = stub.requestsTo('/oauth2/token')[0];
    expect(grant.method).toBe('POST');
    expect(grant.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(grant.headers.authorization).toBe(`Basic ${Buffer.from('client-id:client-secret').toString('base64')}`);
    expect(grant.body).toBe('grant_type=client_credentials');
    const read = stub.requestsTo('/partner/read/order/deployment/order-1');
    expect(read).toHaveLength(3);
    expect(read[0].headers.authorization).toBe('Bearer oauth2-token');
  });

  it('should ask for one token when calls arrive together', async () => {
    await Promise.all([1, 2, 3].map(() => client.readOrder('deployment', 'order-1')));
    expect(stub.requestsTo('/oauth2/token')).toHaveLength(1);
  });

  it('should answer 502 for an unknown order, a refused token, an error or a dropped connection', async () => {
    await expect(client.readOrder('deployment', 'unknown')).rejects.toMatchObject({
      status: 502,
      message: 'the xealth api failed: read order answered 404',
    });
    const refused = new XealthApiClient(
      { enabled: true, bearerToken: 'b', clientId: 'c', clientSecret: 's', tokenUrl: stub.tokenUrl, apiUrl: stub.url },
      () => now,
    );
    stub.tokenStatus = 401;
    await expect(refused.readOrder('deployment', 'order-1')).rejects.toMatchObject({
      status: 502,
      message: 'the xealth api failed: token request answered 401',
    });
    stub.tokenStatus = undefined;
    stub.mode = 'error';
    await expect(client.readOrder('deployment', 'order-1')).rejects.toMatchObject({ status: 502 });
    stub.mode = 'close';
    await expect(client.readOrder('deployment', 'order-1')).rejects.toMatchObject({
      status: 502,
      message: expect.stringMatching(/^the xealth api failed: read order failed/),
    });
  });
});
