import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ServiceState } from '../../health/service-state';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
/** After the drain, closing the database connection and stopping the embedded database get this long. */
const STOP_DATABASE_MS = 15_000;

/**
 * On SIGTERM or SIGINT: `/ready` answers 503, the listening socket closes (new connections are
 * refused), requests in flight get `timeoutMs` to finish before their connections are closed, then
 * the application closes — the database connection, and last the embedded database — and the
 * process exits. A second signal, or a shutdown that overruns, exits at once.
 *
 * Nest's own shutdown hooks close the database before the HTTP server; draining first keeps
 * every request in flight answered.
 */
export function installGracefulShutdown(app: NestFastifyApplication, timeoutMs: number, logger: Logger): void {
  let shuttingDown = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (shuttingDown) {
      logger.warn(`${signal} during shutdown: exiting now`);
      logger.flush();
      process.exit(1);
    }
    shuttingDown = true;
    const started = Date.now();
    logger.info(`${signal}: shutting down; requests in flight get up to ${timeoutMs} ms`);
    app.get(ServiceState, { strict: false }).startDraining();
    const overrun = setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      logger.flush();
      process.exit(1);
    }, timeoutMs + STOP_DATABASE_MS);
    overrun.unref();
    try {
      await drainHttp(app, timeoutMs, logger);
      logger.info(`requests drained after ${Date.now() - started} ms; closing the database`);
      await app.close();
      logger.info(`stopped after ${Date.now() - started} ms`);
      logger.flush();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      logger.flush();
      process.exit(1);
    }
  };
  for (const signal of SIGNALS) process.on(signal, (received) => void shutdown(received));
}

/**
 * Closes the HTTP server and waits for the requests in flight; after `timeoutMs`, closes the
 * connections still open. Fastify answers requests that arrive on kept-alive connections
 * meanwhile with 503 and `connection: close`.
 */
async function drainHttp(app: NestFastifyApplication, timeoutMs: number, logger: Logger): Promise<void> {
  const server: Server = app.getHttpServer();
  const closed: Promise<void> = app.getHttpAdapter().getInstance().close();
  const timer = setTimeout(() => {
    logger.warn(`requests still in flight after ${timeoutMs} ms: closing their connections`);
    server.closeAllConnections();
  }, timeoutMs);
  // Connections that go idle after the close would otherwise stay open until their keep-alive ends.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
    clearInterval(idleSweep);
  }
}
