import { registerAs } from '@nestjs/config';
import { Expose, Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { validateSection } from './validate-section';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const parseBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

class AppEnvironment {
  @Expose() @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT: number = 8080;
  @Expose() @IsString() HOST: string = '0.0.0.0';
  @Expose() @IsIn(['development', 'production', 'test']) NODE_ENV: string = 'development';
  @Expose() @IsIn(LOG_LEVELS) LOG_LEVEL: LogLevel = 'info';
  @Expose() @Transform(parseBoolean) @IsBoolean() LOG_PRETTY: boolean = false;
  @Expose() @IsString() DATA_DIR: string = './data';
  @Expose() @Type(() => Number) @IsInt() @Min(0) @Max(600_000) SHUTDOWN_TIMEOUT_MS: number = 10_000;
}

export interface AppConfig {
  port: number;
  host: string;
  production: boolean;
  logLevel: LogLevel;
  logPretty: boolean;
  dataDir: string;
  /** How long a shutdown waits for requests in flight before closing their connections. */
  shutdownTimeoutMs: number;
}

export function loadAppConfig(): AppConfig {
  const env = validateSection(AppEnvironment);
  return {
    port: env.PORT,
    host: env.HOST,
    production: env.NODE_ENV === 'production',
    logLevel: env.LOG_LEVEL,
    logPretty: env.LOG_PRETTY,
    dataDir: env.DATA_DIR,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
  };
}

export const appConfig = registerAs('app', loadAppConfig);
