import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, LoggerModule, Params, PinoLogger } from 'nestjs-pino';
import pino, { Logger } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';
import type { LogLevel } from '../../config/app.config';
import { requestIdFor } from '../http/request-id';

/** Personal data of patients and clinicians: redacted wherever it appears in a log line. */
const PERSONAL_FIELDS = [
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
const CREDENTIAL_HEADERS = [
  'x-tidepool-session-token',
  'x-tidepool-server-secret',
  'authorization',
  'cookie',
  'set-cookie',
  'verification-token',
] as const;

/** Credentials under their own names (tokens, secrets, passwords). */
const CREDENTIAL_FIELDS = ['password', 'token', 'sessionToken', 'secret', 'tokenSecret'] as const;

/** How deep below the top of a log line a personal field or credential is looked for. */
const REDACTION_DEPTH = 6;

/**
 * Keys (compared lower-cased) whose values are never written to logs, wherever they appear in a line
 * within REDACTION_DEPTH.
 */
const REDACTED_KEYS: ReadonlySet<string> = new Set<string>(
  [...PERSONAL_FIELDS, ...CREDENTIAL_FIELDS, ...CREDENTIAL_HEADERS].map((key) => key.toLowerCase()),
);

export const REDACTION_CENSOR = '[redacted]';

/** Values logged as they are. */
function isOpaque(value: object): boolean {
  return value instanceof Date || ArrayBuffer.isView(value);
}

/**
 * `value` with every REDACTED_KEYS entry censored. Copies only the objects on the way to a censored
 * key, so a line without personal data costs one walk and no allocation. Only the lines actually
 * written are walked (pino calls the formatters for written lines and for child bindings), unlike
 * path-based redaction, which also ran for every request's unused bindings.
 */
export function redactLogValue(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > REDACTION_DEPTH || isOpaque(value)) return value;
  // Serialized here as they will be written (pino's error serializer, JSON's toJSON), so that what
  // is written is what is censored: fields attached to an error, a document's fields.
  if (value instanceof Error) return redactLogValue(pino.stdSerializers.err(value), depth);
  const { toJSON } = value as { toJSON?: unknown };
  if (typeof toJSON === 'function') {
    const written = (toJSON as () => unknown).call(value);
    return written === value ? value : redactLogValue(written, depth + 1);
  }
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const redacted = redactLogValue(item, depth + 1);
      if (redacted !== item) (copy ??= [...(value as unknown[])])[index] = redacted;
    });
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const redacted =
      REDACTED_KEYS.has(key.toLowerCase()) && item !== undefined ? REDACTION_CENSOR : redactLogValue(item, depth + 1);
    if (redacted !== item) (copy ??= { ...record })[key] = redacted;
  }
  return copy ?? value;
}

function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return redactLogValue(object) as Record<string, unknown>;
}

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
      formatters: { log: redactLogObject, bindings: redactLogObject },
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

function omitted(): undefined {
  return undefined;
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
    // pino-http binds the whole request to a logger it keeps for non-quiet mode; serializing it for
    // every request is wasted work, and its headers hold credentials.
    wrapSerializers: false,
    serializers: { req: omitted, res: omitted },
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
