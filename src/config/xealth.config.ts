import { registerAs } from '@nestjs/config';
import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, IsUrl } from 'class-validator';
import { parseBoolean } from './app.config';
import { ConfigurationError, validateSection } from './validate-section';
import type { Environment } from './environment';

const URL_RULES = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

class XealthEnvironment {
  /** The Xealth integration (webhooks, programs, report viewer); off: every Xealth route answers 404. */
  @Expose() @Transform(parseBoolean) @IsBoolean() XEALTH_ENABLED: boolean = false;
  /** The secret Xealth sends as `Authorization: Bearer <token>` on its webhooks. */
  @Expose() @IsOptional() @IsString() XEALTH_BEARER_TOKEN?: string;
  /** OAuth2 client credentials for the Xealth API. */
  @Expose() @IsOptional() @IsString() XEALTH_CLIENT_ID?: string;
  @Expose() @IsOptional() @IsString() XEALTH_CLIENT_SECRET?: string;
  /** Xealth's OAuth2 token endpoint (client-credentials grant). */
  @Expose() @IsOptional() @IsUrl(URL_RULES) XEALTH_TOKEN_URL?: string;
  /** Xealth API base URL, e.g. https://api-sandbox.xealth.io/v2. */
  @Expose() @IsOptional() @IsUrl(URL_RULES) XEALTH_API_URL?: string;
}

/** Required when the integration is enabled. */
const REQUIRED_WHEN_ENABLED = [
  'XEALTH_BEARER_TOKEN',
  'XEALTH_CLIENT_ID',
  'XEALTH_CLIENT_SECRET',
  'XEALTH_TOKEN_URL',
  'XEALTH_API_URL',
] as const;

export type XealthConfig =
  | { enabled: false }
  | {
      enabled: true;
      bearerToken: string;
      clientId: string;
      clientSecret: string;
      tokenUrl: string;
      apiUrl: string;
    };

export function loadXealthConfig(environment?: Environment): XealthConfig {
  const env = validateSection(XealthEnvironment, environment);
  if (!env.XEALTH_ENABLED) return { enabled: false };
  const missing = REQUIRED_WHEN_ENABLED.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `invalid configuration: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required when XEALTH_ENABLED is true`,
    );
  }
  return {
    enabled: true,
    bearerToken: env.XEALTH_BEARER_TOKEN!,
    clientId: env.XEALTH_CLIENT_ID!,
    clientSecret: env.XEALTH_CLIENT_SECRET!,
    tokenUrl: env.XEALTH_TOKEN_URL!,
    apiUrl: env.XEALTH_API_URL!.replace(/\/+$/, ''),
  };
}

export const xealthConfig = registerAs('xealth', () => loadXealthConfig());
