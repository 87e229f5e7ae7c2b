import { BeforeApplicationShutdown, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { databaseConfig } from '../config/database.config';
import { httpConfig } from '../config/http.config';
import { describeDatabaseHost } from './database-uri';
import { EmbeddedDatabaseService } from './embedded-database.service';

export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

@Module({ providers: [EmbeddedDatabaseService], exports: [EmbeddedDatabaseService] })
class EmbeddedDatabaseModule {}

/**
 * Creates the indexes every schema declares before the service accepts requests; at shutdown,
 * closes the connection before the embedded database stops (FerretDB waits seconds for open
 * connections before it exits).
 */
@Injectable()
class DatabaseLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly embedded: EmbeddedDatabaseService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.connection.modelNames().map((name) => this.connection.model(name).init()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    try {
      await this.connection.close();
    } finally {
      await this.embedded.stop();
    }
  }
}

@Module({
  imports: [
    MongooseModule.forRootAsync({
      imports: [EmbeddedDatabaseModule],
      inject: [databaseConfig.KEY, EmbeddedDatabaseService, httpConfig.KEY],
      useFactory: async (
        config: ConfigType<typeof databaseConfig>,
        embedded: EmbeddedDatabaseService,
        http: ConfigType<typeof httpConfig>,
      ) => {
        const uri = await embedded.resolveUri();
        return {
          uri,
          dbName: config.databaseName,
          serverSelectionTimeoutMS: config.timeoutMs,
          autoIndex: true,
          retryAttempts: 0,
          // Command events feed the database latency metrics (MetricsModule).
          monitorCommands: http.metricsEnabled,
          connectionErrorFactory: () =>
            new DatabaseUnreachableError(`cannot reach the database at ${describeDatabaseHost(uri)}`),
        };
      },
    }),
    EmbeddedDatabaseModule,
  ],
  providers: [DatabaseLifecycle],
})
export class DatabaseModule {}
