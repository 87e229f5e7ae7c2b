import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiError, ErrorEnvelope, INTERNAL_ERROR_MESSAGE, UNKNOWN_ROUTE_MESSAGE } from './api-error';

const MONGO_DUPLICATE_KEY = 11000;
const FERRETDB_INTERNAL_ERROR = 1;

/** Maps every error to `{code, message, details?}`; nothing internal reaches the client. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const envelope = toEnvelope(exception);
    if (envelope.code >= 500) {
      // Written inside the request's logging context, so the line carries its `reqId`.
      this.logger.error({ err: exception }, 'request failed');
    }
    void reply.status(envelope.code).header('content-type', 'application/json; charset=utf-8').send(envelope);
  }
}

export function toEnvelope(exception: unknown): ErrorEnvelope {
  if (exception instanceof ApiError) {
    return exception.details
      ? { code: exception.status, message: exception.message, details: exception.details }
      : { code: exception.status, message: exception.message };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === HttpStatus.NOT_FOUND) return { code: status, message: UNKNOWN_ROUTE_MESSAGE };
    if (status >= 500) return { code: status, message: INTERNAL_ERROR_MESSAGE };
    return { code: status, message: clientErrorMessage(status, messageOf(exception)) };
  }
  if (isDuplicateKeyError(exception)) {
    return { code: HttpStatus.CONFLICT, message: 'duplicate: the resource already exists' };
  }
  return { code: HttpStatus.INTERNAL_SERVER_ERROR, message: INTERNAL_ERROR_MESSAGE };
}

/**
 * A unique-index violation. MongoDB (and FerretDB on inserts) report code 11000; FerretDB 1.x on its
 * SQLite backend reports one caused by an update as an internal error carrying SQLite's message.
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === MONGO_DUPLICATE_KEY) return true;
  return (
    code === FERRETDB_INTERNAL_ERROR && typeof message === 'string' && message.includes('UNIQUE constraint failed')
  );
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Nest turns Fastify's own client errors (body parsing, media type, size) into HttpExceptions; word them plainly. */
function clientErrorMessage(status: number, message: string): string {
  if (status === HttpStatus.BAD_REQUEST && /JSON/.test(message)) {
    return /empty/i.test(message)
      ? 'request body has an error: the body is empty'
      : 'request body has an error: the body is not valid JSON';
  }
  if (status === HttpStatus.UNSUPPORTED_MEDIA_TYPE) return 'unsupported media type: send application/json';
  if (status === HttpStatus.PAYLOAD_TOO_LARGE) return 'request body is too large';
  return message;
}
