import type { ConfigType } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpConfig } from '../../config/http.config';
import { SESSION_TOKEN_HEADER } from '../openapi/openapi';
import { REQUEST_ID_HEADER } from './request-id';

/** How long a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for browser applications on the origins of `CORS_ORIGINS` (through @fastify/cors): they may
 * send the session token and a request id, and read the request id of the answer. Other origins get
 * no CORS headers (the browser then refuses them) and their preflight requests are answered 404, as
 * when no origins are configured and CORS is off.
 * Sessions travel in a header, never in cookies, so credentials are not allowed.
 */
export function enableCorsFromConfig(app: NestFastifyApplication): void {
  const { corsOrigins } = app.get<ConfigType<typeof httpConfig>>(httpConfig.KEY, { strict: false });
  if (corsOrigins.length === 0) return;
  const allowed = new Set(corsOrigins);
  app.enableCors({
    // `false` for any other origin (or none): no CORS headers at all, and a preflight is not answered.
    origin: (origin: string | undefined, callback: (error: Error | null, allow: string | false) => void) =>
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type', SESSION_TOKEN_HEADER, REQUEST_ID_HEADER],
    exposedHeaders: [REQUEST_ID_HEADER],
    credentials: false,
    maxAge: PREFLIGHT_MAX_AGE_SECONDS,
  });
}
