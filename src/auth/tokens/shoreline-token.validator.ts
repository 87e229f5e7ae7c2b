import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { authConfig } from '../../config/auth.config';
import type { Principal } from '../principal';
import {
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TOKEN_CACHE_MAX,
  DEFAULT_TOKEN_CACHE_TTL_MS,
  field,
  isRecord,
  stringField,
  TIDEPOOL_CLIENT_OPTIONS,
  type TidepoolClientOptions,
} from '../tidepool-http';
import { ServerTokenProvider } from './server-token.provider';
import { TokenValidator } from './token-validator';

/**
 * Validates session tokens with the Tidepool auth service (shoreline): `GET {AUTH_SERVICE_URL}/token/{token}`.
 * A token is valid when the answer is 200 with a non-empty user id; anything else, including an
 * unreachable service, makes it invalid. Server-token results are cached (LRU, 10,000 entries, 5 minutes);
 * user tokens are checked on every call and failures are never cached.
 */
@Injectable()
export class ShorelineTokenValidator extends TokenValidator {
  private readonly logger = new Logger('ShorelineTokenValidator');
  private readonly cache: LRUCache<string, Principal>;
  private readonly timeoutMs: number;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly serverToken: ServerTokenProvider,
    @Optional() @Inject(TIDEPOOL_CLIENT_OPTIONS) options?: TidepoolClientOptions,
  ) {
    super();
    this.timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.cache = new LRUCache<string, Principal>({
      max: options?.tokenCacheMax ?? DEFAULT_TOKEN_CACHE_MAX,
      ttl: options?.tokenCacheTtlMs ?? DEFAULT_TOKEN_CACHE_TTL_MS,
    });
  }

  async validate(token: string): Promise<Principal | undefined> {
    if (!token) return undefined;
    const cached = this.cache.get(token);
    if (cached) return { ...cached };
    const principal = await this.check(token);
    if (principal?.isServer) this.cache.set(token, { ...principal });
    return principal;
  }

  private async check(token: string): Promise<Principal | undefined> {
    const baseUrl = this.config.authServiceUrl;
    if (!baseUrl) {
      this.logger.warn('token check impossible: AUTH_SERVICE_URL is not configured');
      return undefined;
    }
    try {
      // A 401 means our own server token was refused; send() renews it and retries once.
      const response = await this.serverToken.send({
        operation: 'GET /token',
        method: 'GET',
        url: `${baseUrl}/token/${encodeURIComponent(token)}`,
        timeoutMs: this.timeoutMs,
      });
      if (response.status === 200) return toPrincipal(response.body);
      if (response.status !== 404) this.logger.warn(`token check: the auth service answered ${response.status}`);
      return undefined;
    } catch (error) {
      this.logger.warn(`token check failed: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }
}

function toPrincipal(body: unknown): Principal | undefined {
  if (!isRecord(body)) return undefined;
  const subjectId = stringField(body, 'userid');
  if (!subjectId) return undefined;
  const principal: Principal = { subjectId, isServer: field(body, 'isserver') === true };
  const identityProvider = stringField(body, 'identityProvider');
  if (identityProvider) principal.identityProvider = identityProvider;
  return principal;
}
