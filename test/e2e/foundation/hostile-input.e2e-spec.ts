import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createClinic, CreatedClinic, findClinicDocument } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { TestApp, TestResponse, useTestApp } from '../../support/test-app';

/** Sends raw bytes (the test client would re-encode strings and objects). */
async function post(
  t: TestApp,
  url: string,
  token: string,
  payload: string | Buffer,
  contentType = 'application/json',
): Promise<TestResponse> {
  const response = await t.app.inject({
    method: 'POST',
    url,
    headers: { 'x-tidepool-session-token': token, 'content-type': contentType },
    payload,
  });
  const text = response.body;
  const isJson = String(response.headers['content-type'] ?? '').includes('json') && text.length > 0;
  return { status: response.statusCode, headers: response.headers, body: isJson ? JSON.parse(text) : text, text };
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

describe('hostile input: every body is refused in the envelope, without a 500 or a write', () => {
  const t = useTestApp();
  let user: { token: string };
  let clinic: CreatedClinic;

  beforeAll(async () => {
    user = await t.users.create();
    clinic = await createClinic(t);
  });

  const clinicCount = (): Promise<number> => t.connection.collection('clinics').countDocuments();

  it.each([
    ['a validated field', (deep: string) => `{"name":${deep},"preferredBgUnits":"mg/dL"}`],
    ['an unknown field', (deep: string) => `{"name":"x","preferredBgUnits":"mg/dL","a":${deep}}`],
    [
      'suppressedNotifications',
      (deep: string) => `{"name":"x","preferredBgUnits":"mg/dL","suppressedNotifications":${deep}}`,
    ],
  ])('should refuse JSON nested 5,000 deep in %s with 400', async (_where, body) => {
    const before = await clinicCount();
    const res = await post(t, '/v1/clinics', user.token, body(nested(5000)));
    expectError(res, 400, 'request body has an error: the body nests arrays and objects more than 32 levels deep');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    expect(await clinicCount()).toBe(before);
  });

  it('should accept JSON nested exactly as deep as the limit allows', async () => {
    // 31 levels inside the top-level object: 32 in all.
    const res = await post(
      t,
      '/v1/clinics',
      user.token,
      `{"name":"Deep","preferredBgUnits":"mg/dL","x":${nested(31)}}`,
    );
    expect(res.status).toBe(200);
  });

  it('should refuse a 1 MB body nested 500,000 deep quickly, leaving /live answering', async () => {
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => post(t, '/v1/clinics', user.token, `{"a":${nested(500_000)}}`)),
    );
    const elapsed = performance.now() - started;
    for (const res of responses) expectError(res, 400);
    // JSON.parse of one such body alone blocks for hundreds of milliseconds.
    expect(elapsed).toBeLessThan(500);
    expect((await t.call('GET', '/live')).status).toBe(200);
  });

  it('should refuse a body over 1 MB with 413 and write nothing', async () => {
    const before = await clinicCount();
    const res = await post(
      t,
      '/v1/clinics',
      user.token,
      `{"name":"${'a'.repeat(1024 * 1024)}","preferredBgUnits":"mg/dL"}`,
    );
    expectError(res, 413, 'request body is too large: at most 1048576 bytes are accepted on this route');
    expect(await clinicCount()).toBe(before);
  });

  it.each([
    ['application/x-www-form-urlencoded', 'name=Form&preferredBgUnits=mg%2FdL'],
    ['text/plain', '{"name":"Plain","preferredBgUnits":"mg/dL"}'],
    ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nM\r\n--x--'],
  ])('should refuse a %s body with 415 and create nothing', async (contentType, payload) => {
    const before = await clinicCount();
    const res = await post(t, '/v1/clinics', user.token, payload, contentType);
    expectError(res, 415, 'unsupported media type: send application/json');
    expect(await clinicCount()).toBe(before);
  });

  it('should accept application/json with a charset parameter', async () => {
    const res = await post(
      t,
      '/v1/clinics',
      user.token,
      '{"name":"Charset","preferredBgUnits":"mg/dL"}',
      'application/json; charset=utf-8',
    );
    expect(res.status).toBe(200);
  });

  it('should refuse invalid UTF-8 in a string field with 400 and write nothing', async () => {
    const before = await clinicCount();
    const payload = Buffer.concat([
      Buffer.from('{"name":"bad '),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('","preferredBgUnits":"mg/dL"}'),
    ]);
    const res = await post(t, '/v1/clinics', user.token, payload);
    expectError(res, 400, 'request body has an error: the body is not valid UTF-8');
    expect(await clinicCount()).toBe(before);
  });

  it.each([
    [
      'a NUL character in a value',
      '{"name":"a\\u0000b","preferredBgUnits":"mg/dL"}',
      'text may not contain the NUL character (\\u0000)',
    ],
    [
      'a NUL character in an unknown key',
      '{"name":"x","preferredBgUnits":"mg/dL","k\\u0000":1}',
      'text may not contain the NUL character (\\u0000)',
    ],
    [
      'a lone surrogate escape',
      '{"name":"a\\ud92cb","preferredBgUnits":"mg/dL"}',
      'text is not valid Unicode (an unpaired \\uD800–\\uDFFF escape)',
    ],
  ])('should refuse %s with 400 and write nothing', async (_what, payload, problem) => {
    const before = await clinicCount();
    const res = await post(t, '/v1/clinics', user.token, payload);
    expectError(res, 400, `request body has an error: ${problem}`);
    expect(await clinicCount()).toBe(before);
  });

  it.each([
    [
      'a NUL character in a query parameter',
      '/v1/patients?birthDate=a%00b',
      'text may not contain the NUL character (\\u0000)',
    ],
    [
      'a NUL character in an unknown query parameter',
      '/v1/patients?x%00=1',
      'text may not contain the NUL character (\\u0000)',
    ],
  ])('should refuse %s with 400 before any database read', async (_what, url, problem) => {
    // A clinician: FindPatients then searches the patients of the caller's clinics.
    const { admin } = await createClinic(t);
    const res = await t.call('GET', url, { token: admin.token });
    expectError(res, 400, `request has an error: ${problem}`);
  });

  it('should refuse a NUL character in a path parameter with 400 and write nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    const res = await t.call('PUT', `/v1/clinics/${clinicId}/clinicians/ab%00cd`, {
      token: admin.token,
      body: { email: 'x@example.com', roles: ['CLINIC_MEMBER'] },
    });
    expectError(res, 400, 'request has an error: text may not contain the NUL character (\\u0000)');
    expect((await findClinicDocument(t, clinicId)).admins).toEqual([admin.userId]);
  });

  it('should accept an escaped surrogate pair as the character it encodes', async () => {
    const res = await post(t, '/v1/clinics', user.token, '{"name":"Clinic \\ud83e\\ude7a","preferredBgUnits":"mg/dL"}');
    expect(res.status).toBe(200);
    expect((res.body as { name: string }).name).toBe('Clinic 🩺');
  });

  it('should store multi-byte UTF-8 text as sent', async () => {
    const res = await post(
      t,
      '/v1/clinics',
      user.token,
      Buffer.from('{"name":"Zürich 診療所 🩺","preferredBgUnits":"mg/dL"}'),
    );
    expect(res.status).toBe(200);
    const stored = await t.connection.collection('clinics').findOne({ name: 'Zürich 診療所 🩺' });
    expect(stored).not.toBeNull();
  });

  it('should drop __proto__ keys rather than let them reach an object', async () => {
    const res = await post(
      t,
      '/v1/clinics',
      user.token,
      '{"name":"Proto","preferredBgUnits":"mg/dL","__proto__":{"tier":"tier0400"}}',
    );
    expect(res.status).toBe(200);
    expect((res.body as { tier: string }).tier).toBe('tier0100');
  });

  it.each([
    ['phoneNumbers', [[]]],
    ['phoneNumbers', [[{ number: '1' }]]],
    ['phoneNumbers', [null]],
    ['phoneNumbers', ['+1 555']],
  ])('should refuse %s items that are not objects (%j) and store nothing', async (field, value) => {
    const before = await clinicCount();
    const res = await t.call('POST', '/v1/clinics', {
      token: user.token,
      body: { name: 'Items', preferredBgUnits: 'mg/dL', [field]: value },
    });
    const body = expectValidationError(res, field);
    expect(body.details).toContainEqual({ field, message: `${field} must be an array of objects` });
    expect(await clinicCount()).toBe(before);
  });

  it('should refuse duplicate phone numbers (uniqueItems) with 400 and leave the clinic unchanged', async () => {
    const phone = { type: 'main', number: '+1 555 0100' };
    const res = await t.call('PUT', `/v1/clinics/${clinic.clinicId}`, {
      token: clinic.admin.token,
      body: {
        name: 'Changed',
        preferredBgUnits: 'mg/dL',
        phoneNumbers: [phone, { number: '+1 555 0100', type: 'main' }],
      },
    });
    expectError(res, 400, 'request has an error: phoneNumbers: phoneNumbers must not contain the same item twice');
    expect((await findClinicDocument(t, clinic.clinicId)).name).toBe('Test Clinic');
  });

  it('should refuse membership restrictions that are not objects with 400 and keep the stored ones', async () => {
    const server = await t.tokens.server();
    const url = `/v1/clinics/${clinic.clinicId}/membership_restrictions`;
    expect(
      (await t.call('PUT', url, { token: server, body: { restrictions: [{ emailDomain: 'kept.example' }] } })).status,
    ).toBe(200);
    const res = await t.call('PUT', url, { token: server, body: { restrictions: [[]] } });
    expectValidationError(res, 'restrictions');
    expect((await findClinicDocument(t, clinic.clinicId)).membershipRestrictions).toEqual([
      { emailDomain: 'kept.example' },
    ]);
  });

  it('should refuse a CreateClinician inviteId that is not an invite key, and store nothing', async () => {
    const server = await t.tokens.server();
    for (const inviteId of ['probe-invite', 'a\u0007b\u001bc'.padEnd(32, 'x'), 'x'.repeat(33)]) {
      const res = await t.call('POST', `/v1/clinics/${clinic.clinicId}/clinicians`, {
        token: server,
        body: { inviteId, email: 'probe@example.com', roles: ['CLINIC_MEMBER'] },
      });
      expect(expectValidationError(res, 'inviteId').details).toContainEqual({
        field: 'inviteId',
        message: 'inviteId must be a 32-character invite key',
      });
    }
    expect(await t.connection.collection('clinicians').countDocuments({ email: 'probe@example.com' })).toBe(0);
  });
});

describe('errors raised before a handler runs use the envelope too', () => {
  const t = useTestApp();
  let token: string;

  beforeAll(async () => {
    token = (await t.users.create()).token;
  });

  it('should answer a 4 KB clinicId with 414 in the envelope, with a request id', async () => {
    const res = await t.call('GET', `/v1/clinics/${'a'.repeat(4096)}`, { token });
    expectError(res, 414, 'request has an error: a path parameter is longer than 100 characters');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('should answer a 101-character inviteId with 414 in the envelope', async () => {
    const res = await t.call('GET', `/v1/clinics/${'a'.repeat(24)}/invites/clinicians/${'i'.repeat(101)}`, { token });
    expectError(res, 414);
  });

  it('should answer a badly encoded URL with 400 in the envelope', async () => {
    const res = await t.call('GET', '/v1/clinics/%E0%A4%A', { token });
    expectError(res, 400, 'request has an error: the URL is not validly encoded');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('should answer an unknown route with 404 in the envelope, with a request id', async () => {
    const res = await t.call('GET', '/v2/nothing-here');
    expectError(res, 404);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('should answer headers too large for the HTTP parser with 431 in the envelope', async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const answer = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path: '/live', headers: { 'x-big': 'a'.repeat(20_000) } },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          },
        );
        req.on('error', reject);
        req.end();
      },
    );
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.body)).toEqual({ code: 431, message: 'request has an error: the headers are too large' });
    expect(answer.headers['x-request-id']).toEqual(expect.any(String));
  });
});
