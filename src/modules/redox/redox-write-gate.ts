import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { WriteGateRank, WriteLocks } from '../../database/write-gate';
import { RedoxMessageRecord } from './messages/redox-message.schema';
import { RedoxMessagesWriter } from './messages/redox-messages.repository';
import { ScheduledOrderRecord } from './scheduled-reports/scheduled-order.schema';
import { ScheduledOrdersWriter } from './scheduled-reports/scheduled-orders.repository';

/**
 * The one way to write the Redox module's own collections (`redox`, `scheduledSummaryAndReportsOrders`),
 * which no clinic owns. Like the clinic write gate: work runs under a keyed in-process lock and gets
 * writers that refuse to write once it has finished.
 */
@Injectable()
export class RedoxWriteGate {
  constructor(
    private readonly locks: WriteLocks,
    @InjectModel(RedoxMessageRecord.name) private readonly messages: Model<RedoxMessageRecord>,
    @InjectModel(ScheduledOrderRecord.name) private readonly scheduledOrders: Model<ScheduledOrderRecord>,
  ) {}

  /** Storing one received message: keyed by its new id, so intake never waits on other messages. */
  storeMessage<T>(messageId: Types.ObjectId, work: (writer: RedoxMessagesWriter) => Promise<T>): Promise<T> {
    return this.locks.run(`redox-message:${messageId.toHexString()}`, WriteGateRank.Integration, (scope) =>
      work(new RedoxMessagesWriter(scope, this.messages)),
    );
  }

  /**
   * Scheduling one clinic's orders: one run at a time per clinic, so each new order's
   * `precedingDocument` is read after the previous run's inserts.
   */
  scheduleOrders<T>(clinicId: Types.ObjectId, work: (writer: ScheduledOrdersWriter) => Promise<T>): Promise<T> {
    return this.locks.run(`scheduled-orders:${clinicId.toHexString()}`, WriteGateRank.Integration, (scope) =>
      work(new ScheduledOrdersWriter(scope, this.scheduledOrders)),
    );
  }

  /** Removing expired scheduled orders. */
  expireOrders<T>(work: (writer: ScheduledOrdersWriter) => Promise<T>): Promise<T> {
    return this.locks.run('scheduled-orders:expiry', WriteGateRank.Integration, (scope) =>
      work(new ScheduledOrdersWriter(scope, this.scheduledOrders)),
    );
  }
}
