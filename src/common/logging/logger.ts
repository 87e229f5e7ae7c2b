import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, Params, PinoLogger } from 'nestjs-pino';
import pino, { Logger } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { LogLevel } from '../../config/app.config';
import { requestIdFor } from '../http/request-id';

/** Personal data of patients and clinicians: redacted wherever it appears in a log line. */
export const PERSONAL_FIELDS = [
  'fullName',
  'firstName',
  'lastName',
  'birthDate',
  'mrn',
  'email',
  'emails',
  'username',
] as const;

/** Credentials sent as headers. */
export const CREDENTIAL_HEADERS = [
  '["x-tidepool-session-token"]',
  '["x-tidepool-server-secret"]',
  'authorization',
  'cookie',
  '["set-cookie"]',
  '["verification-token"]',
] as const;

/** Credentials under their own names (tokens, secrets, passwords). */
const CREDENTIAL_FIELDS = ['password', 'token', 'sessionToken', 'secret', 'tokenSecret'] as const;

/** How deep a personal field or credential is looked for below the top level of a log line. */
const REDACTION_DEPTH = 4;

function atAnyDepth(path: string): string[] {
  const joined = (prefix: string) => (path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`);
  const paths = [path];
  for (let depth = 1; depth <= REDACTION_DEPTH; depth++) paths.push(joined(Array(depth).fill('*').join('.')));
  return paths;
}

/**
 * Paths never written to logs: credentials and anything that identifies a person, at the top level
 * and up to four levels down (`email`, `*.email`, `*.*.email`, …). Request and response bodies are
 * never logged at all.
 */
export const REDACTED_PATHS: string[] = [
  ...PERSONAL_FIELDS.flatMap(atAnyDepth),
  ...CREDENTIAL_FIELDS.flatMap(atAnyDepth),
  ...CREDENTIAL_HEADERS.flatMap((header) =>
    atAnyDepth(header.startsWith('[') ? `headers${header}` : `headers.${header}`),
  ),
];

export const REDACTION_CENSOR = '[redacted]';

/** The service's one pino logger; everything else (requests, Nest, Fastify) writes through children of it. */
export function createRootLogger(options: {
  level: LogLevel;
  pretty: boolean;
  toStderr?: boolean;
  destination?: pino.DestinationStream;
}): Logger {
  const destination = options.destination ?? (options.toStderr && !options.pretty ? pino.destination(2) : undefined);
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: REDACTION_CENSOR },
      base: { service: 'clinics-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      transport:
        options.pretty && !options.destination
          ? { target: 'pino-pretty', options: { colorize: true, destination: options.toStderr ? 2 : 1 } }
          : undefined,
    },
    destination,
  );
}

/** Set on the raw request by the HTTP layer: the matched route's template, e.g. `/v1/clinics/:clinicId`. */
export const ROUTE_TEMPLATE = Symbol('routeTemplate');
type RoutedRequest = IncomingMessage & { [ROUTE_TEMPLATE]?: string };

export function rememberRouteTemplate(request: IncomingMessage, template: string | undefined): void {
  (request as RoutedRequest)[ROUTE_TEMPLATE] = template;
}

/** The fields of the one line written when a request completes. */
function completion(request: IncomingMessage, response: ServerResponse, durationMs: number): object {
  return {
    method: request.method,
    route: (request as RoutedRequest)[ROUTE_TEMPLATE] ?? 'unmatched',
    status: response.statusCode,
    durationMs,
  };
}

/**
 * pino-http as nestjs-pino runs it for every request: each line written while the request is handled
 * — by Nest's `Logger` in any service, or by `PinoLogger` — carries `reqId` (the Fastify request id,
 * i.e. a sane `x-request-id` or a new UUID) and nothing else about the request; one line "request
 * completed" with method, route template, status and duration ends it. Headers, query strings and
 * bodies are not logged.
 */
export function requestLoggingParams(root: Logger): Params {
  const pinoHttp: PinoHttpOptions = {
    logger: root,
    quietReqLogger: true,
    quietResLogger: true,
    customAttributeKeys: { reqId: 'reqId' },
    // Fastify's middleware layer copies its request id to the raw request before this runs.
    genReqId: (request) => request.id ?? requestIdFor(request),
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (request, response) =>
      !request.readableAborted && response.writableEnded ? 'request completed' : 'request aborted',
    customErrorMessage: () => 'request completed',
    customSuccessObject: (request, response, value: { responseTime: number }) =>
      completion(request, response, value.responseTime),
    customErrorObject: (request, response, _error, value: { responseTime: number }) =>
      completion(request, response, value.responseTime),
  };
  return { pinoHttp };
}

/** Request-scoped logging for the HTTP service (the nestjs-pino module and its middleware). */
export function requestLoggingModule(root: Logger): DynamicModule {
  return LoggerModule.forRoot(requestLoggingParams(root));
}

/**
 * Nest's own logger (and every `new Logger(context)` in the code) backed by nestjs-pino: inside a
 * request it writes through that request's child logger, elsewhere through `root`.
 */
export function createNestLogger(root: Logger): LoggerService {
  const params = requestLoggingParams(root);
  return new NestPinoLogger(new PinoLogger(params), params);
}
