import { createPublicKey, KeyObject, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../../config/app.config';
import { authConfig } from '../../config/auth.config';
import { ConfigurationError } from '../../config/validate-section';

export const DEVELOPMENT_SECRET_FILE = 'auth-token-secret';

/**
 * The keys session tokens are verified (and, for HS256, minted) with. Outside production an
 * unset AUTH_TOKEN_SECRET is replaced by a random secret kept in DATA_DIR, so restarts and the
 * command-line tool agree on it.
 */
@Injectable()
export class TokenKeys {
  private readonly logger = new Logger('TokenKeys');
  readonly hmacSecret?: Uint8Array;
  readonly rsaPublicKey?: KeyObject;

  constructor(
    @Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>,
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
  ) {
    if (auth.provider !== 'jwt') return;
    if (auth.tokenPublicKey) {
      try {
        this.rsaPublicKey = createPublicKey(auth.tokenPublicKey);
      } catch {
        throw new ConfigurationError('invalid configuration: AUTH_TOKEN_PUBLIC_KEY (not a PEM public key)');
      }
    }
    if (auth.tokenSecret) {
      this.hmacSecret = new TextEncoder().encode(auth.tokenSecret);
    } else if (!this.rsaPublicKey) {
      if (app.production) {
        throw new ConfigurationError(
          'invalid configuration: AUTH_TOKEN_SECRET (or AUTH_TOKEN_PUBLIC_KEY) is required when NODE_ENV=production',
        );
      }
      this.hmacSecret = new TextEncoder().encode(this.developmentSecret(app.dataDir));
    }
  }

  private developmentSecret(dataDir: string): string {
    const file = resolve(join(dataDir, DEVELOPMENT_SECRET_FILE));
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      mkdirSync(dataDir, { recursive: true });
      try {
        // 'wx' fails if another process created it meanwhile; then its secret is the one to use.
        writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
        this.logger.warn(`AUTH_TOKEN_SECRET is unset: created a development token secret in ${file}`);
      } catch {
        /* created concurrently */
      }
      return readFileSync(file, 'utf8').trim();
    }
  }
}
