import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { RedoxWriteGate } from '../redox-write-gate';
import { SCHEDULED_ORDER_RETENTION_MS } from './scheduled-order.schema';

/** How often the expiry runs. */
const EXPIRY_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Scheduled orders are kept 90 days. At start-up the `createdTime` index is created as a TTL index
 * where the database supports one (MongoDB), as a plain one otherwise (the embedded FerretDB refuses
 * TTL indexes). Whatever the database, the service also removes expired orders itself, once at
 * start-up and then every hour — a delete that is safe to run from several instances at once.
 */
@Injectable()
export class ScheduledOrdersExpiry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduledOrdersExpiry.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly gate: RedoxWriteGate) {}

  async onApplicationBootstrap(): Promise<void> {
    const ttl = await this.gate.expireOrders((writer) => writer.ensureExpiryIndex(SCHEDULED_ORDER_RETENTION_MS));
    this.logger.log(
      { ttl },
      ttl ? 'scheduled orders expire through a TTL index' : 'scheduled orders expire through the hourly clean-up',
    );
    this.timer = setInterval(() => void this.runSafely(), EXPIRY_INTERVAL_MS);
    this.timer.unref();
    await this.runSafely();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Removes the scheduled orders older than 90 days (before `now`); how many. */
  removeExpired(now: Date = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - SCHEDULED_ORDER_RETENTION_MS);
    return this.gate.expireOrders((writer) => writer.deleteCreatedBefore(cutoff));
  }

  private async runSafely(): Promise<void> {
    try {
      await this.removeExpired();
    } catch (error) {
      this.logger.error({ err: error }, 'could not remove expired scheduled orders');
    }
  }
}
