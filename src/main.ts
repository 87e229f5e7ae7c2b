import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadAppConfig } from './config/app.config';
import { createApp } from './app.factory';
import { installGracefulShutdown } from './common/lifecycle/graceful-shutdown';
import { createRootLogger } from './common/logging/logger';
import { DOCS_PATH } from './common/openapi/openapi';

async function bootstrap(): Promise<void> {
  let logger = createRootLogger({ level: 'info', pretty: false });
  try {
    const config = loadAppConfig();
    logger = createRootLogger({ level: config.logLevel, pretty: config.logPretty });
    const app = await createApp(logger);
    await app.listen(config.port, config.host);
    installGracefulShutdown(app, config.shutdownTimeoutMs, logger);
    const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    // The bound port: with PORT=0 the system picks one.
    const server: Server = app.getHttpServer();
    const { port } = server.address() as AddressInfo;
    const base = `http://${shownHost}:${port}`;
    logger.info(`Clinics API listening on ${base} (Swagger UI: ${base}/${DOCS_PATH})`);
  } catch (error) {
    logger.fatal(error instanceof Error ? error.message : String(error));
    logger.flush();
    // The 'exit' handlers stop the embedded database if it was started.
    process.exit(1);
  }
}

void bootstrap();
