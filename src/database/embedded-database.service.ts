import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config';
import { databaseConfig } from '../config/database.config';
import { RunningEmbeddedDatabase, startEmbeddedDatabase } from './embedded-database';

const ENGINE_NAMES = { postgresql: 'FerretDB on PostgreSQL', sqlite: 'FerretDB on SQLite' } as const;

/** Gives the database URI: the configured one, or the embedded FerretDB it starts (and stops). */
@Injectable()
export class EmbeddedDatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedDatabase');
  private running?: RunningEmbeddedDatabase;

  constructor(
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async resolveUri(): Promise<string> {
    if (this.database.uri) return this.database.uri;
    this.running ??= await startEmbeddedDatabase({
      cacheDir: this.database.embeddedCacheDir,
      dataDir: this.app.dataDir,
      engine: this.database.embeddedEngine,
      log: (line) => this.logger.log(line),
    });
    this.logger.log(
      this.running.owned
        ? `embedded database (${ENGINE_NAMES[this.running.engine]}) started at ${this.running.uri} with data in ${this.app.dataDir}`
        : `embedded database already running at ${this.running.uri}; using it`,
    );
    return this.running.uri;
  }

  /** Stops the embedded database if this process started it. */
  async stop(): Promise<void> {
    await this.running?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }
}
