import { httpConfig, loadHttpConfig } from '../../../src/config/http.config';
import { createClinic } from '../../support/builders';
import { TestApp, TestResponse, useTestApp } from '../../support/test-app';

const ALLOWED = 'https://app.example.com';
const OTHER = 'https://elsewhere.example.org';

function preflight(t: TestApp, origin: string, requestHeaders = 'x-tidepool-session-token'): Promise<TestResponse> {
  return t.call('OPTIONS', '/v1/clinics/0123456789abcdef01234567', {
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': requestHeaders },
  });
}

function corsHeaders(res: TestResponse): string[] {
  return Object.keys(res.headers).filter((name) => name.startsWith('access-control-'));
}

describe('CORS', () => {
  describe('with CORS_ORIGINS set', () => {
    const t = useTestApp({
      override: (builder) =>
        builder
          .overrideProvider(httpConfig.KEY)
          .useValue({ ...loadHttpConfig(), corsOrigins: [ALLOWED, 'http://localhost:3000'] }),
    });

    it('should answer a preflight from an allowed origin with the session token header allowed', async () => {
      const res = await preflight(t, ALLOWED, 'x-tidepool-session-token,content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(String(res.headers['access-control-allow-headers']).split(', ')).toEqual(
        expect.arrayContaining(['x-tidepool-session-token', 'content-type']),
      );
      expect(String(res.headers['access-control-allow-methods'])).toContain('PUT');
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(String(res.headers.vary)).toMatch(/origin/i);
    });

    it('should let the allowed origin read the answer and its request id', async () => {
      const { clinicId, admin } = await createClinic(t);
      const res = await t.call('GET', `/v1/clinics/${clinicId}`, { token: admin.token, headers: { origin: ALLOWED } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-expose-headers']).toBe('x-request-id');
      expect(res.headers['x-request-id']).toBeDefined();
      // Errors carry the headers too, so the browser can read the envelope.
      const denied = await t.call('GET', `/v1/clinics/${clinicId}`, { headers: { origin: ALLOWED } });
      expect(denied.status).toBe(400);
      expect(denied.headers['access-control-allow-origin']).toBe(ALLOWED);
    });

    it('should give another origin no CORS headers', async () => {
      const res = await preflight(t, OTHER);
      expect(res.status).toBe(404);
      expect(corsHeaders(res)).toEqual([]);
      const get = await t.call('GET', '/live', { headers: { origin: OTHER } });
      expect(get.status).toBe(200);
      expect(corsHeaders(get)).toEqual([]);
    });
  });

  describe('with CORS_ORIGINS unset (the default)', () => {
    const t = useTestApp();

    it('should send no CORS headers, to a preflight or a request', async () => {
      const res = await preflight(t, ALLOWED);
      expect(res.status).toBe(404);
      expect(corsHeaders(res)).toEqual([]);
      const get = await t.call('GET', '/live', { headers: { origin: ALLOWED } });
      expect(get.status).toBe(200);
      expect(corsHeaders(get)).toEqual([]);
    });
  });
});
