import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { LogLevel } from '../../config/app.config';

/** Paths never written to logs: credentials and anything that identifies a person. */
export const REDACTED_PATHS = [
  'req.headers["x-tidepool-session-token"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["verification-token"]',
  'res.headers["set-cookie"]',
  'headers["x-tidepool-session-token"]',
  'headers.authorization',
  'headers.cookie',
];

export function createRootLogger(options: { level: LogLevel; pretty: boolean; toStderr?: boolean }): Logger {
  const destination = options.toStderr && !options.pretty ? pino.destination(2) : undefined;
  return pino(
    {
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'clinics-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      transport: options.pretty
        ? { target: 'pino-pretty', options: { colorize: true, destination: options.toStderr ? 2 : 1 } }
        : undefined,
    },
    destination,
  );
}

/** Lets Nest's own Logger write through the same pino instance. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ): void {
    // Nest passes the context name last, and for errors a stack before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (typeof message === 'object' && message !== null) {
      const { msg, ...fields } = message as { msg?: unknown } & Record<string, unknown>;
      const text = typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : typeof msg === 'string' ? msg : undefined;
      this.logger[level]({ context, ...fields }, text);
      return;
    }
    this.logger[level]({ context }, String(message));
  }
}
