import { registerAs } from '@nestjs/config';
import { Expose, Transform } from 'class-transformer';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { parseBoolean } from './app.config';
import { validateSection } from './validate-section';

/** One origin as browsers send it: scheme, host and optional port, no path or trailing slash. */
const ORIGIN_LIST_PATTERN = /^\s*https?:\/\/[^\s/,]+\s*(,\s*https?:\/\/[^\s/,]+\s*)*$/;

class HttpEnvironment {
  /** `GET /metrics` in the Prometheus text format, without a session token. */
  @Expose() @Transform(parseBoolean) @IsBoolean() METRICS_ENABLED: boolean = true;
  /** Browser origins allowed to call the API, comma-separated. Unset: no CORS headers at all. */
  @Expose()
  @IsOptional()
  @Matches(ORIGIN_LIST_PATTERN, {
    message: 'must be origins separated by commas, e.g. https://app.example.com,http://localhost:3000',
  })
  CORS_ORIGINS?: string;
}

export interface HttpConfig {
  metricsEnabled: boolean;
  /** Empty: CORS is off (no headers, preflight requests are not answered). */
  corsOrigins: string[];
}

export function loadHttpConfig(): HttpConfig {
  const env = validateSection(HttpEnvironment);
  return {
    metricsEnabled: env.METRICS_ENABLED,
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  };
}

export const httpConfig = registerAs('http', loadHttpConfig);
