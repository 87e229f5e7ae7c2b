import { ServiceMetrics } from '../../../src/common/metrics/service-metrics';

describe('ServiceMetrics', () => {
  it('should report the embedded database as up or down when the service runs it', async () => {
    const metrics = new ServiceMetrics();
    let available = true;
    metrics.observeDatabaseState({ connected: () => available, embeddedAvailable: () => available });
    expect(await metrics.render()).toContain('\nclinics_embedded_database_up 1\n');
    available = false;
    const text = await metrics.render();
    expect(text).toContain('\nclinics_embedded_database_up 0\n');
    expect(text).toContain('\nclinics_database_up 0\n');
  });

  it('should leave the embedded database out when a configured MongoDB is used', async () => {
    const metrics = new ServiceMetrics();
    metrics.observeDatabaseState({ connected: () => true, embeddedAvailable: () => undefined });
    const text = await metrics.render();
    expect(text).toContain('\nclinics_database_up 1\n');
    expect(text).not.toContain('clinics_embedded_database_up');
  });

  it('should label requests without a matched route as unmatched and keep registries apart', async () => {
    const first = new ServiceMetrics();
    const second = new ServiceMetrics();
    first.recordRequest('GET', undefined, 404, 3);
    expect(await first.render()).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(await second.render()).not.toContain('route="unmatched"');
  });
});
