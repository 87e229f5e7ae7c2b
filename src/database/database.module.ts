import { Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { databaseConfig } from '../config/database.config';
import { describeDatabaseHost } from './database-uri';
import { EmbeddedDatabaseService } from './embedded-database.service';

export class DatabaseUnreachableError extends Error {
  override readonly name = 'DatabaseUnreachableError';
}

@Module({ providers: [EmbeddedDatabaseService], exports: [EmbeddedDatabaseService] })
class EmbeddedDatabaseModule {}

/** Creates the indexes every schema declares before the service accepts requests. */
@Injectable()
class SchemaIndexes implements OnApplicationBootstrap {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.connection.modelNames().map((name) => this.connection.model(name).init()));
  }
}

@Module({
  imports: [
    MongooseModule.forRootAsync({
      imports: [EmbeddedDatabaseModule],
      inject: [databaseConfig.KEY, EmbeddedDatabaseService],
      useFactory: async (config: ConfigType<typeof databaseConfig>, embedded: EmbeddedDatabaseService) => {
        const uri = await embedded.resolveUri();
        return {
          uri,
          dbName: config.databaseName,
          serverSelectionTimeoutMS: config.timeoutMs,
          autoIndex: true,
          retryAttempts: 0,
          connectionErrorFactory: () =>
            new DatabaseUnreachableError(`cannot reach the database at ${describeDatabaseHost(uri)}`),
        };
      },
    }),
  ],
  providers: [SchemaIndexes],
})
export class DatabaseModule {}
