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
/** A database that exits on its own is started again this many times, waiting 0.5 s, 1 s, 2 s… before each. */
const RESTART_ATTEMPTS = 5;
const FIRST_RESTART_DELAY_MS = 500;

/** Gives the database URI: the configured one, or the embedded FerretDB it starts (and stops). */
@Injectable()
export class EmbeddedDatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger('EmbeddedDatabase');
  private running?: RunningEmbeddedDatabase;
  private claim?: DataFolderClaim;
  private stopping = false;
  private restarting?: Promise<void>;

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
        this.running = await this.start({ exclusive: service });
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

  /**
   * False while the embedded database this process runs is down (it exited and is being started
   * again): requests are then answered 503 at once instead of waiting for the driver's timeout.
   */
  get available(): boolean {
    return this.restarting === undefined;
  }

  /** Stops the embedded database if this process started it, and releases the data folder. */
  async stop(): Promise<void> {
    this.stopping = true;
    try {
      await this.restarting;
      await this.running?.stop();
    } finally {
      this.releaseClaim();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private start(options: {
    exclusive: boolean;
    port?: number;
    postgresPort?: number;
  }): Promise<RunningEmbeddedDatabase> {
    return startEmbeddedDatabase({
      cacheDir: this.database.embeddedCacheDir,
      dataDir: this.app.dataDir,
      engine: this.database.embeddedEngine,
      log: (line) => this.logger.log(line),
      onUnexpectedExit: (processName, code, signal) => this.restartAfterExit(processName, code ?? signal),
      ...options,
    });
  }

  /**
   * The database's processes are ours to keep running: one that exits on its own is started again
   * on the same ports (the driver reconnects to the same URI), with backoff. When that keeps
   * failing, the service exits non-zero rather than serve without a database.
   */
  private restartAfterExit(processName: string, how: number | string | null): void {
    if (this.stopping || this.restarting || !this.running) return;
    const crashed = this.running;
    this.logger.error(`embedded database: ${processName} exited unexpectedly (${how}); starting it again`);
    this.restarting = (async () => {
      await crashed.stop().catch(() => undefined);
      for (let attempt = 1; attempt <= RESTART_ATTEMPTS; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, FIRST_RESTART_DELAY_MS * 2 ** (attempt - 1)));
        if (this.stopping) return;
        try {
          this.running = await this.start({ exclusive: true, port: crashed.port, postgresPort: crashed.postgresPort });
          this.logger.log(`embedded database: running again at ${this.running.uri} (attempt ${attempt})`);
          return;
        } catch (error) {
          this.logger.warn(`embedded database: restart attempt ${attempt} failed: ${(error as Error).message}`);
        }
      }
      this.logger.fatal(`embedded database: could not be restarted after ${RESTART_ATTEMPTS} attempts; exiting`);
      process.exit(1);
    })().finally(() => {
      this.restarting = undefined;
    });
  }

  private releaseClaim(): void {
    this.claim?.release();
    this.claim = undefined;
  }
}
