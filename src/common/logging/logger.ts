import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino, { Logger } from 'pino';
import type { LogLevel } from '../../config/app.config';

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

/**
 * The service's one pino logger; everything else (requests, Nest, Fastify) writes through children of
 * it. Lines go to standard output (standard error with `toStderr`) asynchronously: the lines written
 * while a write is under way go out together in the next one, instead of one blocking write each, and
 * whatever is pending is written when the process exits.
 */
export function createRootLogger(options: {
  level: LogLevel;
  pretty: boolean;
  toStderr?: boolean;
  destination?: pino.DestinationStream;
}): Logger {
  const destination =
    options.destination ??
    (options.pretty ? undefined : pino.destination({ dest: options.toStderr ? 2 : 1, sync: false }));
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

/** The logger of the request being handled (Fastify's child logger, bound to its `reqId`). */
const requestLoggers = new AsyncLocalStorage<Logger>();

/** The level of the one line that ends a request: errors for answers 500 and above. */
function completionLevel(status: number): 'info' | 'error' {
  return status >= 500 ? 'error' : 'info';
}

/**
 * Request-scoped logging: each line written while a request is handled — by Nest's `Logger` in any
 * service — carries `reqId` (the Fastify request id, i.e. a sane `x-request-id` or a new UUID) and
 * nothing else about the request; one line "request completed" with method, route template, status
 * and duration ends it. Headers, query strings and bodies are not logged.
 *
 * The request's logger is Fastify's own child logger, so a request costs no second one. It is made
 * current when the request arrives and again before the handler, because reading a body can resume
 * in the socket's context rather than the request's.
 */
export function installRequestLogging(fastify: FastifyInstance): void {
  const enter = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    if (requestLoggers.getStore() === request.log) done();
    else requestLoggers.run(request.log as Logger, done);
  };
  fastify.addHook('onRequest', enter);
  fastify.addHook('preHandler', enter);
  fastify.addHook('onResponse', (request, reply, done) => {
    const status = reply.statusCode;
    const finished = reply.raw.writableEnded && !request.raw.readableAborted;
    request.log[completionLevel(status)](
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
      },
      finished ? 'request completed' : 'request aborted',
    );
    done();
  });
}

type LogMethod = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's own logger (and every `new Logger(context)` in the code): inside a request it writes through
 * that request's logger, elsewhere through `root`. Nest passes the context (a class name) last; an
 * object or error given first becomes the line's fields, as in pino.
 */
export function createNestLogger(root: Logger): LoggerService {
  const write = (level: LogMethod, message: unknown, optional: unknown[]): void => {
    const logger = requestLoggers.getStore() ?? root;
    const fields: Record<string, unknown> = {};
    let params = optional;
    if (optional.length > 0) {
      fields.context = optional[optional.length - 1];
      params = optional.slice(0, -1);
    }
    if (message instanceof Error) {
      fields.err = message;
      logger[level](fields, ...(params as [string?]));
    } else if (typeof message === 'object' && message !== null) {
      logger[level]({ ...fields, ...message }, ...(params as [string?]));
    } else if (
      level === 'error' &&
      params.length === 1 &&
      typeof params[0] === 'string' &&
      /\n\s*at /.test(params[0])
    ) {
      // Nest's exception handlers pass (message, stack, context).
      const err = new Error(String(message));
      err.stack = params[0];
      logger[level]({ ...fields, err });
    } else {
      logger[level](fields, String(message), ...(params as []));
    }
  };
  return {
    verbose: (message: unknown, ...optional: unknown[]) => write('trace', message, optional),
    debug: (message: unknown, ...optional: unknown[]) => write('debug', message, optional),
    log: (message: unknown, ...optional: unknown[]) => write('info', message, optional),
    warn: (message: unknown, ...optional: unknown[]) => write('warn', message, optional),
    error: (message: unknown, ...optional: unknown[]) => write('error', message, optional),
    fatal: (message: unknown, ...optional: unknown[]) => write('fatal', message, optional),
  };
}
