import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DatabaseUnavailableError } from './database-errors';
import { EmbeddedDatabaseService } from './embedded-database.service';

/**
 * While the embedded database is being started again after it exited, API requests are answered
 * 503 at once (the driver would otherwise hold each one until its server-selection timeout).
 * Health routes and the documentation still answer.
 */
export function refuseWhileDatabaseRestarts(app: NestFastifyApplication): void {
  const embedded = app.get(EmbeddedDatabaseService, { strict: false });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, _reply, done) => {
      if (!embedded.available && request.routeOptions.url?.startsWith('/v1/')) {
        return done(new DatabaseUnavailableError());
      }
      done();
    });
}
