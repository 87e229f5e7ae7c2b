import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { authConfig } from '../../config/auth.config';
import type { Principal } from '../principal';
import { TokenKeys } from './token-keys';
import { TokenValidator } from './token-validator';

/** Claims of a Tidepool session token. */
export interface TidepoolTokenClaims extends JWTPayload {
  /** User id (or service name for server tokens). */
  usr?: unknown;
  /** `"yes"` for server tokens, `"no"` for user tokens. */
  svr?: unknown;
  /** Token lifetime in seconds, informational. */
  dur?: unknown;
  /** Identity provider of the user's session, when federated. */
  idp?: unknown;
}

/** Tokens whose verification is remembered: a client sends the same token with every request. */
const VERIFIED_TOKENS_MAX = 10_000;

/**
 * Validates Tidepool-format JWTs: HS256 with the shared secret or RS256 with the public key; nothing
 * else. A verified token's principal is remembered until the token expires (LRU, VERIFIED_TOKENS_MAX
 * entries), since its signature and claims cannot change: a client's next request costs a look-up
 * instead of a signature check. Tokens that fail are never remembered.
 */
@Injectable()
export class JwtTokenValidator extends TokenValidator {
  private readonly getKey: JWTVerifyGetKey;
  private readonly algorithms: string[];
  private readonly verified = new LRUCache<string, Principal>({ max: VERIFIED_TOKENS_MAX, ttlAutopurge: false });

  constructor(
    keys: TokenKeys,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {
    super();
    this.algorithms = [...(keys.hmacSecret ? ['HS256'] : []), ...(keys.rsaPublicKey ? ['RS256'] : [])];
    // A key object made once: given the raw secret, jose makes one for every token it verifies.
    const hmacKey = keys.hmacSecret ? createSecretKey(keys.hmacSecret) : undefined;
    this.getKey = (header) => {
      if (header.alg === 'HS256' && hmacKey) return hmacKey;
      if (header.alg === 'RS256' && keys.rsaPublicKey) return keys.rsaPublicKey;
      throw new errors.JOSEAlgNotAllowed(`algorithm ${header.alg} is not accepted`);
    };
  }

  async validate(token: string): Promise<Principal | undefined> {
    const remembered = this.verified.get(token);
    if (remembered) return { ...remembered };
    let claims: TidepoolTokenClaims;
    try {
      const verified = await jwtVerify<TidepoolTokenClaims>(token, this.getKey, {
        algorithms: this.algorithms,
        issuer: this.config.tokenIssuer,
        audience: this.config.tokenAudience,
        requiredClaims: ['exp'],
      });
      claims = verified.payload;
    } catch {
      return undefined;
    }
    const principal = principalFromClaims(claims);
    // `exp` is required and was checked: the token is valid for this long, and no longer.
    const validForMs = (claims.exp as number) * 1000 - Date.now();
    if (principal && validForMs > 0) this.verified.set(token, { ...principal }, { ttl: validForMs });
    return principal;
  }
}

export function principalFromClaims(claims: TidepoolTokenClaims): Principal | undefined {
  if (typeof claims.usr !== 'string' || claims.usr.length === 0) return undefined;
  let isServer: boolean;
  if (claims.svr === 'yes') isServer = true;
  else if (claims.svr === 'no' || claims.svr === undefined) isServer = false;
  else return undefined;
  const principal: Principal = { subjectId: claims.usr, isServer };
  if (typeof claims.idp === 'string' && claims.idp.length > 0) principal.identityProvider = claims.idp;
  return principal;
}
