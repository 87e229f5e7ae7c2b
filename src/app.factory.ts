import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/errors/api-exception.filter';
import { refuseWhileDatabaseRestarts } from './database/database-availability';
import { enableCorsFromConfig } from './common/http/cors';
import { answerClientError, answerFrameworkError } from './common/http/framework-errors';
import { LARGEST_BODY_BYTES, registerJsonBodyParser } from './common/http/json-body';
import { REQUEST_ID_HEADER, requestIdFor } from './common/http/request-id';
import { createNestLogger, installRequestLogging } from './common/logging/logger';
import { setupOpenApi } from './common/openapi/openapi';
import { createValidationPipe } from './common/validation/validation.pipe';

export function createFastifyAdapter(logger: Logger): FastifyAdapter {
  return new FastifyAdapter({
    // Fastify's own messages (client errors and the like) carry `reqId` too.
    loggerInstance: logger,
    // The one line per request is written by the request logging (installRequestLogging) instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    // Errors raised before Nest sees the request, in the same envelope as every other error.
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
    // The JSON parser (registerJsonBodyParser) applies each route's own limit up to this one.
    bodyLimit: LARGEST_BODY_BYTES,
  });
}

/**
 * Options for creating the application: Nest's own body parsers are off (they accept form bodies
 * and have no depth limit); `configureApp` registers the service's JSON parser instead.
 */
export const APPLICATION_OPTIONS = { bodyParser: false } as const;

@Module({})
class ServiceModule {}

/** The application module plus `imports` (the tests add probe modules). */
export function serviceModule(imports: ModuleMetadata['imports'] = []): DynamicModule {
  return { module: ServiceModule, imports: [AppModule, ...imports] };
}

/** Everything the running service and the tests share: filters, pipes, hooks, OpenAPI. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  const fastify = app.getHttpAdapter().getInstance();
  installRequestLogging(fastify);
  registerJsonBodyParser(fastify);
  refuseWhileDatabaseRestarts(app);
  enableCorsFromConfig(app);
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  setupOpenApi(app);
  return app;
}

export async function createApp(logger: Logger): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(serviceModule(), createFastifyAdapter(logger), {
    ...APPLICATION_OPTIONS,
    logger: createNestLogger(logger),
    abortOnError: false,
  });
  return configureApp(app);
}
