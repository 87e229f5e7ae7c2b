import { Types } from 'mongoose';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { LOG_ID, newOrder, REDOX_TOKEN, redoxApp, SOURCE_ID } from './redox.fixtures';

const TOKEN_HEADER = 'verification-token';

describe('Redox webhooks: VerifyEndpoint and ProcessEHRMessage', () => {
  const t = useTestApp(redoxApp());
  const stored = () => t.connection.collection('redox').find({}).toArray();

  describe('VerifyEndpoint', () => {
    it('should echo the challenge for the right token in the body, with no session token', async () => {
      const res = await t.call('POST', '/v1/redox/verify', {
        body: { 'verification-token': REDOX_TOKEN, challenge: 'a-challenge-42' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ challenge: 'a-challenge-42' });
    });

    it('should answer 401 for a wrong, missing or empty token (a session token does not help)', async () => {
      const server = await t.tokens.server();
      for (const body of [
        { 'verification-token': 'wrong', challenge: 'c' },
        { challenge: 'c' },
        { 'verification-token': '', challenge: 'c' },
        { 'verification-token': `${REDOX_TOKEN}x`, challenge: 'c' },
        {},
      ]) {
        expectError(
          await t.call('POST', '/v1/redox/verify', { body, token: server }),
          401,
          'unauthorized: invalid verification token',
        );
      }
    });

    it('should ignore the token in the query string', async () => {
      const res = await t.call('POST', `/v1/redox/verify?verification-token=${REDOX_TOKEN}`, {
        body: { challenge: 'c' },
      });
      expectError(res, 401, 'unauthorized: invalid verification token');
    });
  });

  describe('ProcessEHRMessage', () => {
    it('should answer 401 without the header, with an empty one, or a wrong one — and store nothing', async () => {
      const before = (await stored()).length;
      expectError(
        await t.call('POST', '/v1/redox', { body: newOrder() }),
        401,
        'unauthorized: verification token is required',
      );
      expectError(
        await t.call('POST', '/v1/redox', { body: newOrder(), headers: { [TOKEN_HEADER]: '' } }),
        401,
        'unauthorized: verification token is required',
      );
      expectError(
        await t.call('POST', '/v1/redox', { body: newOrder(), headers: { [TOKEN_HEADER]: 'redox-tokem' } }),
        401,
        'unauthorized: invalid verification token',
      );
      expectError(
        await t.call('POST', '/v1/redox', { body: newOrder(), token: await t.tokens.server() }),
        401,
        'unauthorized: verification token is required',
      );
      expect((await stored()).length).toBe(before);
    });

    it('should store a valid order with meta in Redox key spelling and the whole message, answering 200 empty', async () => {
      const order = newOrder({ logId: 'intake-log-1' });
      const res = await t.call('POST', '/v1/redox', { body: order, headers: { [TOKEN_HEADER]: REDOX_TOKEN } });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const documents = await t.connection.collection('redox').find({ 'meta.Logs.ID': 'intake-log-1' }).toArray();
      expect(documents).toHaveLength(1);
      const [document] = documents;
      expect(document._id).toBeInstanceOf(Types.ObjectId);
      expect(Object.keys(document).sort()).toEqual(['_id', 'message', 'meta']);
      expect(document.meta).toEqual({
        DataModel: 'Order',
        EventType: 'New',
        EventDateTime: '2024-01-16T17:42:07.000Z',
        Test: true,
        FacilityCode: null,
        Source: { ID: SOURCE_ID, Name: 'Redox Dev Tools' },
        Destinations: [{ ID: order.Meta.Destinations[0].ID, Name: 'Tidepool' }],
        Logs: [{ ID: 'intake-log-1', AttemptID: order.Meta.Logs[0].AttemptID }],
        Message: { ID: 5565 },
        Transmission: { ID: 12414 },
      });
      expect(document.message).toEqual(order);
      // Numeric meta ids are doubles, as other services read them.
      expect(
        await t.connection.collection('redox').countDocuments({
          'meta.Logs.ID': 'intake-log-1',
          'meta.Message.ID': { $type: 'double' },
          'meta.Transmission.ID': { $type: 'double' },
        }),
      ).toBe(1);
    });

    it('should store any data model and event type, with null for the absent optional meta fields', async () => {
      const results = { Meta: { DataModel: 'Results', EventType: 'New', Logs: [{ ID: 'results-log' }] }, Orders: [] };
      const res = await t.call('POST', '/v1/redox', { body: results, headers: { [TOKEN_HEADER]: REDOX_TOKEN } });
      expect(res.status).toBe(200);
      const document = await t.connection.collection('redox').findOne({ 'meta.Logs.ID': 'results-log' });
      expect(document?.meta).toEqual({
        DataModel: 'Results',
        EventType: 'New',
        EventDateTime: null,
        Test: null,
        FacilityCode: null,
        Logs: [{ ID: 'results-log', AttemptID: null }],
      });
      expect(document?.message).toEqual(results);
    });

    it('should answer 400 for missing or empty DataModel / EventType, storing nothing', async () => {
      const before = (await stored()).length;
      for (const body of [
        {},
        { Meta: {} },
        { Meta: { DataModel: 'Order' } },
        { Meta: { EventType: 'New' } },
        { Meta: { DataModel: '', EventType: 'New' } },
        { Meta: { DataModel: 'Order', EventType: 7 } },
        { Meta: 'Order/New' },
        [{ Meta: { DataModel: 'Order', EventType: 'New' } }],
      ]) {
        const res = await t.call('POST', '/v1/redox', { body, headers: { [TOKEN_HEADER]: REDOX_TOKEN } });
        expectError(res, 400, 'bad request: cannot process message with invalid metadata');
      }
      expect((await stored()).length).toBe(before);
    });

    it('should answer 400 (not 500) for malformed JSON, storing nothing', async () => {
      const before = (await stored()).length;
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/redox',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: REDOX_TOKEN },
        payload: '{"Meta": {"DataModel": "Order", "EventType": "New"',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: 400, message: 'request body has an error: the body is not valid JSON' });
      expect((await stored()).length).toBe(before);
    });

    it('should accept a Redox message of 4.5 MB (over the 1 MB of other routes) and store it whole', async () => {
      const order = newOrder({ logId: 'large-log' });
      order.Order.Notes = ['x'.repeat(4.5 * 1024 * 1024)];
      const res = await t.call('POST', '/v1/redox', { body: order, headers: { [TOKEN_HEADER]: REDOX_TOKEN } });
      expect(res.status).toBe(200);
      const saved = await t.connection.collection('redox').findOne({ 'meta.Logs.ID': 'large-log' });
      expect(saved?.message.Order.Notes[0]).toHaveLength(4.5 * 1024 * 1024);
    });

    it('should refuse a Redox message over 5 MB with 413 and store nothing', async () => {
      const before = (await stored()).length;
      const order = newOrder({ logId: 'too-large-log' });
      order.Order.Notes = ['x'.repeat(5 * 1024 * 1024)];
      const res = await t.call('POST', '/v1/redox', { body: order, headers: { [TOKEN_HEADER]: REDOX_TOKEN } });
      expectError(res, 413, 'request body is too large: at most 5242880 bytes are accepted on this route');
      expect((await stored()).length).toBe(before);
    });

    it('should keep every concurrent message', async () => {
      const logIds = Array.from({ length: 12 }, (_, i) => `concurrent-log-${i}`);
      const responses = await Promise.all(
        logIds.map((logId) =>
          t.call('POST', '/v1/redox', { body: newOrder({ logId }), headers: { [TOKEN_HEADER]: REDOX_TOKEN } }),
        ),
      );
      expect(responses.map((res) => res.status)).toEqual(logIds.map(() => 200));
      expect(await t.connection.collection('redox').countDocuments({ 'meta.Logs.ID': { $in: logIds } })).toBe(12);
    });

    it('should index the stored messages by Redox log id and source', async () => {
      const indexes = await t.connection.collection('redox').indexes();
      const keys = indexes.map((index) => index.key);
      expect(keys).toEqual(
        expect.arrayContaining([{ 'meta.Logs.ID': 1 }, { 'meta.Source.ID': 1, 'meta.FacilityCode': 1 }]),
      );
      expect(await t.connection.collection('redox').countDocuments({ 'meta.Logs.ID': LOG_ID })).toBe(0);
    });
  });
});

describe('Redox webhooks without a configured verification token', () => {
  const t = useTestApp(redoxApp(null));

  it('should refuse everyone, even a request sending no token or an empty one', async () => {
    expectError(
      await t.call('POST', '/v1/redox/verify', { body: { challenge: 'c' } }),
      401,
      'unauthorized: invalid verification token',
    );
    expectError(
      await t.call('POST', '/v1/redox/verify', { body: { 'verification-token': '', challenge: 'c' } }),
      401,
      'unauthorized: invalid verification token',
    );
    expectError(
      await t.call('POST', '/v1/redox', { body: newOrder(), headers: { [TOKEN_HEADER]: REDOX_TOKEN } }),
      401,
      'unauthorized: invalid verification token',
    );
    expect(await t.connection.collection('redox').countDocuments({})).toBe(0);
  });
});
