import { Inject, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { InjectConnection } from '@nestjs/mongoose';
import type { FastifyInstance } from 'fastify';
import type { CommandFailedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import type { Connection } from 'mongoose';
import { databaseConfig } from '../../config/database.config';
import { EmbeddedDatabaseService } from '../../database/embedded-database.service';
import { MetricsController } from './metrics.controller';
import { MetricsSettings } from './metrics-settings';
import { ServiceMetrics } from './service-metrics';

/** Mongoose's `readyState` for an open connection. */
const CONNECTED = 1;

/**
 * Feeds the metrics when the application serves HTTP and metrics are on: a Fastify `onResponse`
 * hook for every request, the driver's command monitoring events (the client is created with
 * `monitorCommands` in that case, see DatabaseModule) and the database's state when scraped.
 */
@Injectable()
class MetricsCollection implements OnModuleInit, OnModuleDestroy {
  private client?: MongoClient;

  constructor(
    private readonly metrics: ServiceMetrics,
    private readonly settings: MetricsSettings,
    private readonly adapterHost: HttpAdapterHost,
    private readonly moduleRef: ModuleRef,
    @InjectConnection() private readonly connection: Connection,
    @Inject(databaseConfig.KEY) private readonly database: ConfigType<typeof databaseConfig>,
  ) {}

  onModuleInit(): void {
    // The command-line tool has no HTTP server and nothing to serve metrics to.
    const httpAdapter = this.adapterHost.httpAdapter as typeof this.adapterHost.httpAdapter | undefined;
    if (!this.settings.enabled || !httpAdapter) return;
    this.metrics.collectProcessMetrics();

    const fastify = httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.metrics.recordRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime);
      done();
    });

    this.client = this.connection.getClient();
    this.client.on('commandSucceeded', this.onCommandSucceeded);
    this.client.on('commandFailed', this.onCommandFailed);

    const embedded = this.database.uri ? undefined : this.moduleRef.get(EmbeddedDatabaseService, { strict: false });
    this.metrics.observeDatabaseState({
      connected: () => this.connection.readyState === CONNECTED,
      embeddedAvailable: () => embedded?.available,
    });
  }

  onModuleDestroy(): void {
    this.client?.off('commandSucceeded', this.onCommandSucceeded);
    this.client?.off('commandFailed', this.onCommandFailed);
  }

  private readonly onCommandSucceeded = (event: CommandSucceededEvent): void => {
    this.metrics.recordDatabaseCommand(event.commandName, 'succeeded', event.duration);
  };

  private readonly onCommandFailed = (event: CommandFailedEvent): void => {
    this.metrics.recordDatabaseCommand(event.commandName, 'failed', event.duration);
  };
}

/** `GET /metrics` for Prometheus and what feeds it (see ServiceMetrics for the list). */
@Module({
  controllers: [MetricsController],
  providers: [{ provide: ServiceMetrics, useFactory: () => new ServiceMetrics() }, MetricsSettings, MetricsCollection],
  exports: [ServiceMetrics],
})
export class MetricsModule {}
