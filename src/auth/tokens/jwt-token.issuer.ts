import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SignJWT } from 'jose';
import { authConfig } from '../../config/auth.config';
import { TokenKeys } from './token-keys';

export interface TokenRequest {
  subjectId: string;
  isServer: boolean;
  /** Seconds; default 30 days for users, 1 day for servers. */
  durationSeconds?: number;
  identityProvider?: string;
}

const DAY_SECONDS = 24 * 60 * 60;

/** Mints HS256 session tokens in the Tidepool format (command-line tool, tests, local development). */
@Injectable()
export class JwtTokenIssuer {
  constructor(
    private readonly keys: TokenKeys,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  /** False when tokens are checked elsewhere (shoreline) or only an RS256 public key is configured. */
  canIssue(): boolean {
    return this.config.provider === 'jwt' && this.keys.hmacSecret !== undefined;
  }

  async issue(request: TokenRequest): Promise<string> {
    if (!this.canIssue() || !this.keys.hmacSecret) {
      throw new Error('tokens can only be minted with AUTH_PROVIDER=jwt and an HS256 secret');
    }
    const duration = request.durationSeconds ?? (request.isServer ? DAY_SECONDS : 30 * DAY_SECONDS);
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT({
      usr: request.subjectId,
      svr: request.isServer ? 'yes' : 'no',
      dur: duration,
      ...(request.identityProvider ? { idp: request.identityProvider } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + duration);
    if (this.config.tokenIssuer) jwt.setIssuer(this.config.tokenIssuer);
    if (this.config.tokenAudience) jwt.setAudience(this.config.tokenAudience);
    return jwt.sign(this.keys.hmacSecret);
  }
}
