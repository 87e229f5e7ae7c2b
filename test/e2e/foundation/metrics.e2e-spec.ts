import { httpConfig, loadHttpConfig } from '../../../src/config/http.config';
import { createClinic } from '../../support/builders';
import { expectError } from '../../support/expect-error';
import { sample, scrape } from '../../support/metrics';
import { useTestApp } from '../../support/test-app';

describe('metrics', () => {
  describe('enabled (the default)', () => {
    const t = useTestApp();

    it('should answer without a session token in the Prometheus text format', async () => {
      const res = await t.call('GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.text).toContain('# TYPE http_requests_total counter');
      expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(res.text).toContain('# TYPE mongodb_command_duration_seconds histogram');
      // Default process metrics.
      expect(sample(res.text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(sample(res.text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
      // The tests use a database of their own, not one the service runs: only the connection is reported.
      expect(sample(res.text, 'clinics_database_up')).toBe(1);
      expect(sample(res.text, 'clinics_embedded_database_up')).toBeUndefined();
    });

    it('should count requests by route template and status, not by URL', async () => {
      const { clinicId, admin } = await createClinic(t);
      const route = { method: 'GET', route: '/v1/clinics/:clinicId' };
      const before = await scrape(t);
      const okBefore = sample(before, 'http_requests_total', { ...route, status: '200' }) ?? 0;
      const notFoundBefore = sample(before, 'http_requests_total', { ...route, status: '404' }) ?? 0;
      const latencyBefore = sample(before, 'http_request_duration_seconds_count', { ...route, status: '200' }) ?? 0;

      for (let i = 0; i < 3; i++) {
        expect((await t.call('GET', `/v1/clinics/${clinicId}`, { token: admin.token })).status).toBe(200);
      }
      const missing = await t.call('GET', '/v1/clinics/0123456789abcdef01234567', { token: admin.token });
      expect(missing.status).toBe(404);
      expectError(await t.call('GET', '/no/such/path/12345'), 404, 'no matching operation was found');

      const after = await scrape(t);
      expect(sample(after, 'http_requests_total', { ...route, status: '200' })).toBe(okBefore + 3);
      expect(sample(after, 'http_requests_total', { ...route, status: '404' })).toBe(notFoundBefore + 1);
      expect(sample(after, 'http_request_duration_seconds_count', { ...route, status: '200' })).toBe(latencyBefore + 3);
      expect(sample(after, 'http_request_duration_seconds_bucket', { ...route, status: '200', le: '+Inf' })).toBe(
        latencyBefore + 3,
      );
      expect(
        sample(after, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }),
      ).toBeGreaterThan(0);
      // No raw URL, id or query string ever becomes a label value.
      expect(after).not.toContain(clinicId);
      expect(after).not.toContain('/no/such/path');
    });

    it('should time the database commands by command name', async () => {
      const before = await scrape(t);
      const findsBefore =
        sample(before, 'mongodb_command_duration_seconds_count', { command: 'find', outcome: 'succeeded' }) ?? 0;
      const insertsBefore =
        sample(before, 'mongodb_command_duration_seconds_count', { command: 'insert', outcome: 'succeeded' }) ?? 0;
      const { clinicId, admin } = await createClinic(t);
      await t.call('GET', `/v1/clinics/${clinicId}`, { token: admin.token });

      const after = await scrape(t);
      expect(
        sample(after, 'mongodb_command_duration_seconds_count', { command: 'find', outcome: 'succeeded' }),
      ).toBeGreaterThan(findsBefore);
      expect(
        sample(after, 'mongodb_command_duration_seconds_count', { command: 'insert', outcome: 'succeeded' }),
      ).toBeGreaterThan(insertsBefore);
      expect(
        sample(after, 'mongodb_command_duration_seconds_sum', { command: 'find', outcome: 'succeeded' }),
      ).toBeGreaterThan(0);
    });
  });

  describe('disabled (METRICS_ENABLED=false)', () => {
    const t = useTestApp({
      override: (builder) =>
        builder.overrideProvider(httpConfig.KEY).useValue({ ...loadHttpConfig(), metricsEnabled: false }),
    });

    it('should answer /metrics 404 like a path the service does not have', async () => {
      expect((await t.call('GET', '/live')).status).toBe(200);
      expectError(await t.call('GET', '/metrics'), 404, 'no matching operation was found');
    });
  });
});
