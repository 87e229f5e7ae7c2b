import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DatabaseUnavailableError, isDatabaseConnectivityError } from '../../database/database-errors';
import { isDuplicateKeyError } from '../../database/duplicate-key';
import { WriteGateBusyError } from '../../database/write-gate';
import { ApiError, ErrorEnvelope, INTERNAL_ERROR_MESSAGE, UNKNOWN_ROUTE_MESSAGE } from './api-error';

const BUSY_MESSAGE = 'service unavailable: too many concurrent changes to the same clinic, please retry';
const RETRY_AFTER_SECONDS = 1;

/** Maps every error to `{code, message, details?}`; nothing internal reaches the client. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const envelope = toEnvelope(exception);
    const retryable = exception instanceof WriteGateBusyError || isDatabaseConnectivityError(exception);
    if (
      envelope.code >= 500 &&
      !(exception instanceof WriteGateBusyError) &&
      !(exception instanceof DatabaseUnavailableError)
    ) {
      // Written inside the request's logging context, so the line carries its `reqId`.
      this.logger.error({ err: exception }, 'request failed');
    }
    if (retryable) void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
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
  if (exception instanceof WriteGateBusyError) {
    return { code: HttpStatus.SERVICE_UNAVAILABLE, message: BUSY_MESSAGE };
  }
  if (isDatabaseConnectivityError(exception)) {
    return { code: HttpStatus.SERVICE_UNAVAILABLE, message: new DatabaseUnavailableError().message };
  }
  if (isDuplicateKeyError(exception)) {
    return { code: HttpStatus.CONFLICT, message: 'duplicate: the resource already exists' };
  }
  return { code: HttpStatus.INTERNAL_SERVER_ERROR, message: INTERNAL_ERROR_MESSAGE };
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
