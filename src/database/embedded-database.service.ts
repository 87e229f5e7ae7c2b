import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig } from '../config/app.config';
import { databaseConfig } from '../config/database.config';
import { claimDataFolder, DataFolderClaim } from './data-folder-claim';
import { RunningEmbeddedDatabase, startEmbeddedDatabase } from './embedded-database';

/**
 * How this process uses the embedded database: `service` (the default) claims the data folder,
 * so a second service on the same folder refuses to start, and always runs the database itself;
 * `tool` (the command-line tool) reuses the database a running service started.
 */
let processRole: 'service' | 'tool' = 'service';

/** Called by the command-line tool before it creates the application context. */
export function useEmbeddedDatabaseAsTool(): void {
  processRole = 'tool';
}

const ENGINE_NAMES = { postgresql: 'FerretDB on PostgreSQL', sqlite: 'FerretDB on SQLite' } as const;

/** Gives the database URI: the configured one, or the embedded FerretDB it starts (and stops). */
@Injectable()
export class EmbeddedDatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedDatabase');
  private running?: RunningEmbeddedDatabase;
  private claim?: DataFolderClaim;

  constructor(
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async resolveUri(): Promise<string> {
    if (this.database.uri) return this.database.uri;
    if (!this.running) {
      const service = processRole === 'service';
      this.claim ??= service ? claimDataFolder(this.app.dataDir) : undefined;
      try {
        this.running = await startEmbeddedDatabase({
          cacheDir: this.database.embeddedCacheDir,
          dataDir: this.app.dataDir,
          engine: this.database.embeddedEngine,
          exclusive: service,
          log: (line) => this.logger.log(line),
        });
      } catch (error) {
        this.releaseClaim();
        throw error;
      }
    }
    this.logger.log(
      this.running.owned
        ? `embedded database (${ENGINE_NAMES[this.running.engine]}) started at ${this.running.uri} with data in ${this.app.dataDir}`
        : `embedded database already running at ${this.running.uri}; using it`,
    );
    return this.running.uri;
  }

  /** Stops the embedded database if this process started it, and releases the data folder. */
  async stop(): Promise<void> {
    try {
      await this.running?.stop();
    } finally {
      this.releaseClaim();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private releaseClaim(): void {
    this.claim?.release();
    this.claim = undefined;
  }
}
