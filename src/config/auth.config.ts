import { registerAs } from '@nestjs/config';
import { Expose } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUrl, MinLength } from 'class-validator';
import { ConfigurationError, validateSection } from './validate-section';

const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

class AuthEnvironment {
  @Expose() @IsIn(['jwt', 'shoreline']) AUTH_PROVIDER: 'jwt' | 'shoreline' = 'jwt';
  /** HS256 secret (jwt provider). Generated and kept in DATA_DIR outside production when unset. */
  @Expose() @IsOptional() @IsString() @MinLength(16) AUTH_TOKEN_SECRET?: string;
  /** PEM public key for RS256 tokens (jwt provider). */
  @Expose() @IsOptional() @IsString() AUTH_TOKEN_PUBLIC_KEY?: string;
  @Expose() @IsOptional() @IsString() AUTH_TOKEN_ISSUER?: string;
  @Expose() @IsOptional() @IsString() AUTH_TOKEN_AUDIENCE?: string;
  /** Tidepool auth (shoreline) base URL: /serverlogin, /token/{token}, /user/{id}. */
  @Expose() @IsOptional() @IsUrl(URL_OPTIONS) AUTH_SERVICE_URL?: string;
  @Expose() @IsString() AUTH_SERVER_NAME: string = 'clinic';
  @Expose() @IsOptional() @IsString() AUTH_SERVER_SECRET?: string;
  @Expose() @IsIn(['embedded', 'tidepool']) USER_DIRECTORY: 'embedded' | 'tidepool' = 'embedded';
  /** Profile service (seagull) base URL: /{userId}/profile. */
  @Expose() @IsOptional() @IsUrl(URL_OPTIONS) PROFILE_SERVICE_URL?: string;
  /** Platform auth API base URL: /v1/users/{id}/restricted_tokens, /v1/restricted_tokens/{id}. */
  @Expose() @IsOptional() @IsUrl(URL_OPTIONS) AUTH_API_URL?: string;
  /** OAuth2 token endpoint for service accounts (client-credentials grant). */
  @Expose() @IsOptional() @IsUrl(URL_OPTIONS) SERVICE_ACCOUNT_TOKEN_ENDPOINT?: string;
}

export interface AuthConfig {
  provider: 'jwt' | 'shoreline';
  tokenSecret?: string;
  tokenPublicKey?: string;
  tokenIssuer?: string;
  tokenAudience?: string;
  authServiceUrl?: string;
  serverName: string;
  serverSecret?: string;
  userDirectory: 'embedded' | 'tidepool';
  profileServiceUrl?: string;
  authApiUrl?: string;
  serviceAccountTokenEndpoint?: string;
}

export function loadAuthConfig(): AuthConfig {
  const env = validateSection(AuthEnvironment);
  const missing = (name: string): never => {
    throw new ConfigurationError(
      `invalid configuration: ${name} is required with the current AUTH_PROVIDER/USER_DIRECTORY`,
    );
  };
  if (env.AUTH_PROVIDER === 'shoreline') {
    if (!env.AUTH_SERVICE_URL) missing('AUTH_SERVICE_URL');
    if (!env.AUTH_SERVER_SECRET) missing('AUTH_SERVER_SECRET');
  }
  if (env.USER_DIRECTORY === 'tidepool') {
    if (!env.AUTH_SERVICE_URL) missing('AUTH_SERVICE_URL');
    if (!env.AUTH_SERVER_SECRET) missing('AUTH_SERVER_SECRET');
  }
  return {
    provider: env.AUTH_PROVIDER,
    tokenSecret: env.AUTH_TOKEN_SECRET,
    tokenPublicKey: env.AUTH_TOKEN_PUBLIC_KEY?.replace(/\\n/g, '\n'),
    tokenIssuer: env.AUTH_TOKEN_ISSUER,
    tokenAudience: env.AUTH_TOKEN_AUDIENCE,
    authServiceUrl: env.AUTH_SERVICE_URL?.replace(/\/+$/, ''),
    serverName: env.AUTH_SERVER_NAME,
    serverSecret: env.AUTH_SERVER_SECRET,
    userDirectory: env.USER_DIRECTORY,
    profileServiceUrl: env.PROFILE_SERVICE_URL?.replace(/\/+$/, ''),
    authApiUrl: env.AUTH_API_URL?.replace(/\/+$/, ''),
    serviceAccountTokenEndpoint: env.SERVICE_ACCOUNT_TOKEN_ENDPOINT,
  };
}

export const authConfig = registerAs('auth', loadAuthConfig);
