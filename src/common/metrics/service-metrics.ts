import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds; requests of this service take milliseconds, list exports up to seconds. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds; single database commands. */
const DATABASE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Whether the database (and, when the service runs it, the embedded database) is up, read when scraped. */
export interface DatabaseState {
  /** The driver's connection is open. */
  connected(): boolean;
  /** Undefined when the service uses a configured MongoDB instead of the embedded database. */
  embeddedAvailable(): boolean | undefined;
}

/**
 * The service's Prometheus metrics, in a registry of their own (one per application, so several
 * applications in one process — the tests — do not share counts):
 *
 * - `http_requests_total{method, route, status}` and `http_request_duration_seconds{…}`: `route` is
 *   the matched route's template (`/v1/clinics/:clinicId`), `unmatched` for unknown paths
 * - `mongodb_command_duration_seconds{command, outcome}`: every command the driver sends
 * - `clinics_database_up`: 1 while the database connection is open
 * - `clinics_embedded_database_up`: 1 while the embedded database runs (only when the service runs it)
 * - the default process and Node.js metrics of prom-client (`process_*`, `nodejs_*`)
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  private readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  private readonly databaseCommands = new Histogram({
    name: 'mongodb_command_duration_seconds',
    help: 'Time the database took to answer each command, by command name and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: DATABASE_BUCKETS,
    registers: [this.registry],
  });

  private processMetricsCollected = false;

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Starts the default process metrics (event loop lag and GC observers run from then on). */
  collectProcessMetrics(): void {
    if (this.processMetricsCollected) return;
    this.processMetricsCollected = true;
    collectDefaultMetrics({ register: this.registry });
  }

  observeDatabaseState(state: DatabaseState): void {
    new Gauge({
      name: 'clinics_database_up',
      help: '1 while the connection to the database is open, 0 otherwise',
      registers: [this.registry],
      collect() {
        this.set(state.connected() ? 1 : 0);
      },
    });
    if (state.embeddedAvailable() === undefined) return;
    new Gauge({
      name: 'clinics_embedded_database_up',
      help: '1 while the embedded database the service runs is up, 0 while it is being started again',
      registers: [this.registry],
      collect() {
        this.set(state.embeddedAvailable() ? 1 : 0);
      },
    });
  }

  recordRequest(method: string, route: string | undefined, status: number, durationMs: number): void {
    const labels = { method, route: route ?? 'unmatched', status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, durationMs / 1000);
  }

  recordDatabaseCommand(command: string, outcome: 'succeeded' | 'failed', durationMs: number): void {
    this.databaseCommands.observe({ command, outcome }, durationMs / 1000);
  }

  async render(): Promise<string> {
    return this.registry.metrics();
  }
}
