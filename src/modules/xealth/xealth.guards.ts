import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { sharedSecretMatches } from '../../auth/shared-secret';
import { xealthConfig } from '../../config/xealth.config';
import { XealthErrors } from './xealth-errors';

const BEARER_PREFIX = 'Bearer ';

/** Every Xealth route: 404 `the xealth integration is not enabled` unless XEALTH_ENABLED. */
@Injectable()
export class XealthEnabledGuard implements CanActivate {
  constructor(@Inject(xealthConfig.KEY) private readonly config: ConfigType<typeof xealthConfig>) {}

  canActivate(): boolean {
    if (!this.config.enabled) throw XealthErrors.disabled();
    return true;
  }
}

/**
 * The Xealth webhooks: `Authorization: Bearer <XEALTH_BEARER_TOKEN>`, compared in constant time.
 * Missing, or without the `Bearer ` prefix: 401 `bearer token is required`; another token: 401
 * `bearer token is invalid`.
 */
@Injectable()
export class XealthBearerGuard implements CanActivate {
  constructor(@Inject(xealthConfig.KEY) private readonly config: ConfigType<typeof xealthConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>();
    const header = request.headers.authorization;
    const value = Array.isArray(header) ? header[0] : header;
    if (!value || !value.startsWith(BEARER_PREFIX)) throw XealthErrors.bearerTokenRequired();
    const configured = this.config.enabled ? this.config.bearerToken : undefined;
    if (!sharedSecretMatches(configured, value.slice(BEARER_PREFIX.length))) throw XealthErrors.bearerTokenInvalid();
    return true;
  }
}
