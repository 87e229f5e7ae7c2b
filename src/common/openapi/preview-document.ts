import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import pino from 'pino';
import { createFastifyAdapter } from '../../app.factory';
import { AppModule } from '../../app.module';
import { buildOpenApiDocument } from './openapi';

/**
 * The service's OpenAPI document without starting it: preview mode resolves the module graph
 * without instantiating providers, so no database is needed. What the contract check compares and
 * what `npm run openapi` commits.
 */
export async function buildDocumentWithoutDatabase(): Promise<OpenAPIObject> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    createFastifyAdapter(pino({ level: 'silent' })),
    { preview: true, logger: false },
  );
  try {
    return buildOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
