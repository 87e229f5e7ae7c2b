import { useTestApp } from '../../support/test-app';
import { expectError, expectValidationError } from '../../support/expect-error';
import { ProbeModule } from '../../support/probe.module';

const CLINIC_ID = '0123456789abcdef01234567';
const validBody = { email: 'a@example.com', userId: '0123456789', colour: 'red', address: { city: 'Oslo' } };

describe('foundation', () => {
  const t = useTestApp({ imports: [ProbeModule] });

  describe('health', () => {
    it('should answer /ready with 200 while the database answers', async () => {
      const res = await t.call('GET', '/ready');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });

    it('should answer /live with 200', async () => {
      const res = await t.call('GET', '/live');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });
  });

  describe('error envelope', () => {
    it('should return 404 with the envelope for an unknown route', async () => {
      const res = await t.call('GET', '/v1/nothing');
      expectError(res, 404, 'no matching operation was found');
    });

    it('should return 400 with field details for an invalid body', async () => {
      const res = await t.call('POST', `/probe/clinics/${CLINIC_ID}`, {
        body: { email: 'nope', userId: 'ABC', colour: 'green', address: { city: '' } },
      });
      const body = expectValidationError(res, 'email', 'userId', 'colour', 'address.city');
      expect(body.message).toMatch(/^request has an error: /);
      expect(body.details?.find((d) => d.field === 'colour')?.message).toContain('red, blue');
    });

    it('should return 400 for an invalid path id', async () => {
      const res = await t.call('POST', '/probe/clinics/not-an-id', { body: validBody });
      expectValidationError(res, 'clinicId');
    });

    it('should return 400 for invalid pagination and date-time query values', async () => {
      const res = await t.call('POST', `/probe/clinics/${CLINIC_ID}`, {
        query: { limit: 0, offset: -1, since: 'yesterday' },
        body: validBody,
      });
      expectValidationError(res, 'limit', 'offset', 'since');
    });

    it('should return 415 for a body that is not JSON', async () => {
      const res = await t.call('POST', `/probe/clinics/${CLINIC_ID}`, {
        body: 'plain',
        headers: { 'content-type': 'application/xml' },
      });
      expectError(res, 415, 'unsupported media type: send application/json');
    });

    it('should reject a limit above 1000', async () => {
      const res = await t.call('POST', `/probe/clinics/${CLINIC_ID}`, { query: { limit: 1001 }, body: validBody });
      expectValidationError(res, 'limit');
    });

    it('should apply pagination defaults and strip unknown fields', async () => {
      const res = await t.call<{ query: object; body: object }>('POST', `/probe/clinics/${CLINIC_ID}`, {
        body: { ...validBody, extra: 'dropped' },
      });
      expect(res.status).toBe(201);
      expect(res.body.query).toEqual({ offset: 0, limit: 10 });
      expect(res.body.body).toEqual(validBody);
    });

    it('should accept a lowercase UUID user id and an RFC 3339 date-time', async () => {
      const res = await t.call('POST', `/probe/clinics/${CLINIC_ID}`, {
        query: { since: '2024-01-02T03:04:05.123+01:00' },
        body: { ...validBody, userId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' },
      });
      expect(res.status).toBe(201);
    });

    it('should return 400 for a malformed JSON body', async () => {
      const res = await t.call('POST', `/probe/clinics/${CLINIC_ID}`, {
        body: '{"email": ',
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 400, 'request body has an error: the body is not valid JSON');
    });

    it('should map a duplicate key to 409', async () => {
      const res = await t.call('POST', '/probe/duplicate');
      expectError(res, 409, /^duplicate/);
    });

    it('should map a duplicate key caused by an update to 409 as well', async () => {
      const res = await t.call('POST', '/probe/duplicate-update');
      expectError(res, 409, /^duplicate/);
    });

    it('should hide unexpected errors behind a fixed 500 whose log line carries the request id', async () => {
      const res = await t.call('GET', '/probe/crash', { headers: { 'x-request-id': 'crash-123' } });
      expectError(res, 500, 'Internal Server Error');
      expect(res.text).not.toContain('secret');
      expect(res.headers['x-request-id']).toBe('crash-123');
      const logged = t.logs.find((line) => line.reqId === 'crash-123' && line.level === 50);
      expect(logged).toBeDefined();
    });
  });

  describe('request id and logging', () => {
    it('should generate a request id when none is given', async () => {
      const res = await t.call('GET', '/live');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('should not trust an unreasonable request id', async () => {
      const res = await t.call('GET', '/live', { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('should write one line per request with method, route, status, duration and id, and no secrets', async () => {
      await t.call('POST', `/probe/clinics/${CLINIC_ID}`, {
        token: 'very-secret-token',
        body: validBody,
        headers: { 'x-request-id': 'log-check-1', authorization: 'Bearer also-secret', cookie: 'sid=secret' },
      });
      const lines = t.logs.filter((line) => line.reqId === 'log-check-1');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        method: 'POST',
        route: '/probe/clinics/:clinicId',
        status: 201,
        msg: 'request completed',
      });
      expect(typeof lines[0].durationMs).toBe('number');
      const everything = JSON.stringify(t.logs);
      expect(everything).not.toContain('very-secret-token');
      expect(everything).not.toContain('also-secret');
      expect(everything).not.toContain('a@example.com');
    });

    const patient = (marker: string, delayMs = 0) => ({
      marker,
      delayMs,
      fullName: `Pat ${marker} Doe`,
      firstName: `Pat-${marker}`,
      lastName: `Doe-${marker}`,
      birthDate: '1987-06-05',
      mrn: `MRN-${marker}-7731`,
      email: `pat-${marker}@example.com`,
    });
    const linesOf = (reqId: unknown) => t.logs.filter((line) => line.reqId === reqId);

    it("should give each line a service writes during a request that request's id, generated or given", async () => {
      const generated = await t.call('POST', '/probe/patients', { body: patient('generated') });
      expect(generated.status).toBe(201);
      const given = await t.call('POST', '/probe/patients', {
        body: patient('given'),
        headers: { 'x-request-id': 'service-line-1' },
      });
      expect(given.headers['x-request-id']).toBe('service-line-1');
      for (const [res, marker] of [
        [generated, 'generated'],
        [given, 'given'],
      ] as const) {
        const reqId = res.headers['x-request-id'];
        expect(linesOf(reqId).map((line) => [line.msg, line.context, line.marker])).toEqual([
          ['probe: patient recorded', 'ProbePatientService', marker],
          ['request completed', undefined, undefined],
        ]);
      }
    });

    it("should keep concurrent requests' lines apart", async () => {
      const markers = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
      // The first requests wait longest, so their service lines are written while the others run.
      const responses = await Promise.all(
        markers.map((marker, i) =>
          t.call('POST', '/probe/patients', {
            body: patient(marker, (markers.length - i) * 15),
            headers: { 'x-request-id': `id-${marker}` },
          }),
        ),
      );
      markers.forEach((marker, i) => {
        expect(responses[i].headers['x-request-id']).toBe(`id-${marker}`);
        expect(linesOf(`id-${marker}`).map((line) => [line.msg, line.marker])).toEqual([
          ['probe: patient recorded', marker],
          ['request completed', undefined],
        ]);
      });
    });

    it('should redact patient data and credentials wherever they appear in a line', async () => {
      const body = patient('redacted');
      const secrets = {
        token: 'session-token-secret-1',
        authorization: 'Bearer authorization-secret-2',
        cookie: 'sid=cookie-secret-3',
        'verification-token': 'verification-secret-4',
      };
      const res = await t.call('POST', '/probe/patients', {
        token: secrets.token,
        body,
        headers: {
          'x-request-id': 'redaction-1',
          authorization: secrets.authorization,
          cookie: secrets.cookie,
          'verification-token': secrets['verification-token'],
        },
      });
      expect(res.status).toBe(201);
      const R = '[redacted]';
      const personal = { fullName: R, firstName: R, lastName: R, birthDate: R, mrn: R, email: R };
      const headers = { 'x-tidepool-session-token': R, authorization: R, cookie: R, 'verification-token': R };
      const [line] = linesOf('redaction-1');
      expect(line).toMatchObject({
        msg: 'probe: patient recorded',
        marker: 'redacted',
        ...personal,
        patient: personal,
        clinic: { patients: [personal] },
        change: { before: { profile: { patient: personal } } },
        headers,
        request: { headers },
      });
      const everything = JSON.stringify(t.logs);
      const { marker: _marker, delayMs: _delayMs, ...values } = body;
      for (const value of [...Object.values(values), ...Object.values(secrets), 'authorization-secret-2']) {
        expect(everything).not.toContain(value);
      }
    });
  });

  describe('OpenAPI', () => {
    it('should serve the document with the contract info, tags and security scheme', async () => {
      const res = await t.call<Record<string, any>>('GET', '/docs-json');
      expect(res.status).toBe(200);
      expect(res.body.info).toMatchObject({ title: 'Clinics API', version: '1.0' });
      expect(res.body.info.license.name).toBe('BSD-2-Clause');
      expect(res.body.components.securitySchemes.sessionToken).toEqual({
        type: 'apiKey',
        in: 'header',
        name: 'x-tidepool-session-token',
        description: 'A Tidepool session token',
      });
      const tags = (res.body.tags as Array<{ name: string }>).map((tag) => tag.name);
      expect(tags).toEqual(expect.arrayContaining(['Clinics', 'Confirmations', 'Internal', 'Redox', 'Health']));
      expect(res.body.paths['/ready'].get.tags).toEqual(['Health']);
    });

    it('should serve Swagger UI at /docs', async () => {
      const res = await t.call('GET', '/docs');
      expect(res.status).toBe(200);
      expect(res.text).toContain('swagger-ui');
    });
  });

  describe('readiness without a database', () => {
    const other = useTestApp();

    it('should answer 503 once the database connection is gone', async () => {
      await other.connection.close();
      const res = await other.call('GET', '/ready');
      expectError(res, 503, 'database is not reachable');
    });
  });
});
