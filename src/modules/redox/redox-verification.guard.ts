import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { sharedSecretMatches } from '../../auth/shared-secret';
import { ApiError } from '../../common/errors/api-error';
import { redoxConfig } from '../../config/redox.config';

export const VERIFICATION_TOKEN_HEADER = 'verification-token';

export const RedoxAuthErrors = {
  tokenRequired: (): ApiError => ApiError.unauthorized('unauthorized: verification token is required'),
  tokenInvalid: (): ApiError => ApiError.unauthorized('unauthorized: invalid verification token'),
};

/**
 * Inbound Redox webhooks (`POST /v1/redox`): the `verification-token` header must equal
 * REDOX_VERIFICATION_TOKEN, compared in constant time. Missing or empty: 401 `verification token is
 * required`; anything else, or no token configured: 401 `invalid verification token`.
 */
@Injectable()
export class RedoxVerificationGuard implements CanActivate {
  constructor(@Inject(redoxConfig.KEY) private readonly config: ConfigType<typeof redoxConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers[VERIFICATION_TOKEN_HEADER];
    const token = Array.isArray(header) ? header[0] : header;
    if (!token) throw RedoxAuthErrors.tokenRequired();
    if (!sharedSecretMatches(this.config.verificationToken, token)) throw RedoxAuthErrors.tokenInvalid();
    return true;
  }
}
