import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-custom';
import { ApiError } from '../common/errors/api-error';
import { SESSION_TOKEN_HEADER } from '../common/openapi/openapi';
import type { Principal } from './principal';
import { TokenValidator } from './tokens/token-validator';

export const SESSION_TOKEN_STRATEGY = 'session-token';
export const SESSION_TOKEN_MISSING = 'session token is missing';
export const SESSION_TOKEN_INVALID = 'session token is invalid';

/** Reads `x-tidepool-session-token` and validates it with the configured provider. */
@Injectable()
export class SessionTokenStrategy extends PassportStrategy(Strategy, SESSION_TOKEN_STRATEGY) {
  constructor(private readonly validator: TokenValidator) {
    super();
  }

  async validate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers[SESSION_TOKEN_HEADER];
    const token = (Array.isArray(header) ? header[0] : header)?.trim();
    if (!token) throw new ApiError(400, SESSION_TOKEN_MISSING);
    const principal = await this.validator.validate(token);
    if (!principal) throw new ApiError(401, SESSION_TOKEN_INVALID);
    return principal;
  }
}
