import { registerAs } from '@nestjs/config';
import { Expose, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { validateSection } from './validate-section';

/** postgresql (default): FerretDB on PostgreSQL 16. sqlite: FerretDB on SQLite, as before. */
export const EMBEDDED_ENGINES = ['postgresql', 'sqlite'] as const;
export type EmbeddedEngine = (typeof EMBEDDED_ENGINES)[number];

class DatabaseEnvironment {
  @Expose()
  @IsOptional()
  @Matches(/^mongodb(\+srv)?:\/\/.+/, { message: 'must be a mongodb:// or mongodb+srv:// URI' })
  MONGODB_URI?: string;
  @Expose()
  @Matches(/^[A-Za-z0-9_-]{1,63}$/, { message: 'must be 1-63 letters, digits, "_" or "-"' })
  MONGODB_DATABASE: string = 'clinic';
  @Expose() @Type(() => Number) @IsInt() @Min(100) @Max(120000) MONGODB_TIMEOUT_MS: number = 10000;
  @Expose() @IsString() EMBEDDED_DB_CACHE_DIR: string = './.cache/ferretdb';
  @Expose() @IsIn(EMBEDDED_ENGINES) EMBEDDED_DB_ENGINE: EmbeddedEngine = 'postgresql';
  @Expose() @IsIn(['auto', 'on', 'off']) READ_CACHE: 'auto' | 'on' | 'off' = 'auto';
}

export interface DatabaseConfig {
  /** Unset: the embedded database is started. */
  uri?: string;
  databaseName: string;
  timeoutMs: number;
  embeddedCacheDir: string;
  /** The embedded database's storage; unset: PostgreSQL. */
  embeddedEngine?: EmbeddedEngine;
  /**
   * Keep clinic documents requests read (ClinicReadCaches: the guard's memberships, GetClinic's
   * clinic): exact only while this process is the one writer of the database, as with the embedded one.
   */
  readCaches?: boolean;
}

export function loadDatabaseConfig(): DatabaseConfig {
  const env = validateSection(DatabaseEnvironment);
  return {
    uri: env.MONGODB_URI,
    databaseName: env.MONGODB_DATABASE,
    timeoutMs: env.MONGODB_TIMEOUT_MS,
    embeddedCacheDir: env.EMBEDDED_DB_CACHE_DIR,
    embeddedEngine: env.EMBEDDED_DB_ENGINE,
    readCaches: env.READ_CACHE === 'auto' ? !env.MONGODB_URI : env.READ_CACHE === 'on',
  };
}

export const databaseConfig = registerAs('database', loadDatabaseConfig);
