import { HttpStatus } from '@nestjs/common';

export interface ErrorDetail {
  field: string;
  message: string;
}

/** The one error body every route returns. */
export interface ErrorEnvelope {
  code: number;
  message: string;
  details?: ErrorDetail[];
}

/**
 * A failure the client can act on. The message texts follow the established service's
 * (`<kind>: <reason>`), which existing clients match on.
 *
 * `reason` is the area's error code (an enum value such as `ClinicErrorCode.ClinicNotFound`): code
 * that handles another service's failure decides on it, never on the HTTP status or the text.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly details?: ErrorDetail[],
    readonly reason?: string,
  ) {
    super(message);
  }

  /** The same error, tagged with its area's code. */
  because(reason: string): ApiError {
    return new ApiError(this.status, this.message, this.details, reason);
  }

  /** True when `error` is an ApiError with one of these codes. */
  static is(error: unknown, ...reasons: string[]): error is ApiError {
    return error instanceof ApiError && error.reason !== undefined && reasons.includes(error.reason);
  }

  static badRequest(reason: string, details?: ErrorDetail[]): ApiError {
    return new ApiError(HttpStatus.BAD_REQUEST, `bad request: ${reason}`, details);
  }

  static validation(details: ErrorDetail[]): ApiError {
    const first = details[0];
    const summary = first ? `${first.field}: ${first.message}` : 'the request is malformed';
    return new ApiError(HttpStatus.BAD_REQUEST, `request has an error: ${summary}`, details);
  }

  static unauthorized(message: string): ApiError {
    return new ApiError(HttpStatus.UNAUTHORIZED, message);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(HttpStatus.FORBIDDEN, message);
  }

  /** `what` is the missing thing, e.g. `clinic` → "clinic not found". */
  static notFound(what: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, `${what} not found`);
  }

  static notFoundMessage(message: string): ApiError {
    return new ApiError(HttpStatus.NOT_FOUND, message);
  }

  static duplicate(reason: string): ApiError {
    return new ApiError(HttpStatus.CONFLICT, `duplicate: ${reason}`);
  }

  static conflict(reason: string): ApiError {
    return new ApiError(HttpStatus.CONFLICT, `conflict: ${reason}`);
  }

  static constraintViolation(reason: string): ApiError {
    return new ApiError(HttpStatus.UNPROCESSABLE_ENTITY, `constraint violation: ${reason}`);
  }
}

export const INTERNAL_ERROR_MESSAGE = 'Internal Server Error';
export const UNKNOWN_ROUTE_MESSAGE = 'no matching operation was found';
