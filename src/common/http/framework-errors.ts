import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorEnvelope } from '../errors/api-error';
import { REQUEST_ID_HEADER } from './request-id';

/** Path parameters longer than this are refused before routing (no id of the contract comes close). */
export const MAX_PATH_PARAMETER_LENGTH = 100;

const FRAMEWORK_MESSAGES: Record<string, { status: number; message: string }> = {
  FST_ERR_BAD_URL: { status: 400, message: 'request has an error: the URL is not validly encoded' },
  FST_ERR_MAX_PARAM_LENGTH: {
    status: 414,
    message: `request has an error: a path parameter is longer than ${MAX_PATH_PARAMETER_LENGTH} characters`,
  },
};

/**
 * Errors Fastify's router raises before any handler runs (a malformed URL, an over-long path
 * parameter), answered in the service's envelope.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const known = error.code ? FRAMEWORK_MESSAGES[error.code] : undefined;
  const envelope: ErrorEnvelope = known
    ? { code: known.status, message: known.message }
    : { code: 400, message: 'request has an error' };
  void reply
    .status(envelope.code)
    .header(REQUEST_ID_HEADER, request.id)
    .header('content-type', 'application/json; charset=utf-8')
    .send(envelope);
}

const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, message: 'request has an error: the headers are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'request has an error: the request took too long to arrive' },
};

/**
 * Errors Node's HTTP parser raises on a connection before a request exists (headers too large,
 * malformed HTTP): written in the service's envelope, with a fresh request id, then the
 * connection is closed as Node does by default.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
  const status = known?.status ?? 400;
  const body = JSON.stringify({
    code: status,
    message: known?.message ?? 'request has an error: it is not valid HTTP',
  } satisfies ErrorEnvelope);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${randomUUID()}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
