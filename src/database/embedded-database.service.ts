import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config';
import { databaseConfig } from '../config/database.config';
import { RunningEmbeddedDatabase, startEmbeddedDatabase } from './embedded-database';

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
      log: (line) => this.logger.log(line),
    });
    this.logger.log(
      this.running.owned
        ? `embedded database (FerretDB, SQLite) started at ${this.running.uri} with data in ${this.app.dataDir}`
        : `embedded database already running at ${this.running.uri}; using it`,
    );
    return this.running.uri;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.stop();
  }
}
