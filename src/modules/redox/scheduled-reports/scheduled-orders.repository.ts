import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import { SCHEDULED_ORDER_EXPIRY_INDEX, ScheduledOrderRecord } from './scheduled-order.schema';

export interface PrecedingDocument {
  _id: Types.ObjectId;
  createdTime: Date;
}

/** Reads of `scheduledSummaryAndReportsOrders`; writes go through {@link ScheduledOrdersWriter}. */
@Injectable()
export class ScheduledOrdersRepository {
  constructor(@InjectModel(ScheduledOrderRecord.name) private readonly orders: Model<ScheduledOrderRecord>) {}

  /**
   * For each order id, the most recent scheduled order made for it (`_id`, `createdTime`), in one read
   * over the `LastMatchedOrderByID` index (`$in` on its leading field). The embedded database has no
   * `$group` accumulator that picks a document, so the candidates come back (three small fields each)
   * and the latest is chosen here; they are bounded by the 90-day retention.
   */
  async latestByOrder(orderIds: Types.ObjectId[]): Promise<Map<string, PrecedingDocument>> {
    const latest = new Map<string, PrecedingDocument>();
    if (orderIds.length === 0) return latest;
    const candidates = await this.orders
      .find(
        { 'lastMatchedOrder._id': orderIds.length === 1 ? orderIds[0] : { $in: orderIds } },
        { _id: 1, createdTime: 1, 'lastMatchedOrder._id': 1 },
      )
      .lean<Array<{ _id: Types.ObjectId; createdTime: Date; lastMatchedOrder?: { _id?: Types.ObjectId } }>>()
      .exec();
    for (const candidate of candidates) {
      const orderId = candidate.lastMatchedOrder?._id;
      if (!orderId) continue;
      const key = orderId.toHexString();
      const current = latest.get(key);
      if (!current || isLater(candidate, current)) {
        latest.set(key, { _id: candidate._id, createdTime: candidate.createdTime });
      }
    }
    return latest;
  }
}

/** Later creation time first; on a tie (one request's documents), the later id. */
function isLater(a: PrecedingDocument, b: PrecedingDocument): boolean {
  const difference = a.createdTime.getTime() - b.createdTime.getTime();
  return difference > 0 || (difference === 0 && a._id.toHexString() > b._id.toHexString());
}

/** Inserts scheduled orders and removes expired ones. Only the Redox write gate creates it. */
export class ScheduledOrdersWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly orders: Model<ScheduledOrderRecord>,
  ) {
    super(scope);
  }

  /** Each document is its own insert (the event another service reacts to). */
  async insert(records: ScheduledOrderRecord[]): Promise<void> {
    this.guard();
    if (records.length === 0) return;
    await this.orders.collection.insertMany(records, { ordered: true });
  }

  /**
   * The `createdTime` index: with a TTL of `retentionMs` where the database accepts one (true), a plain
   * one otherwise (false). An index of that name already there is kept as it is.
   */
  async ensureExpiryIndex(retentionMs: number): Promise<boolean> {
    this.guard();
    const collection = this.orders.collection;
    const existing = (await collection.indexes().catch(() => [])).find(
      (index) => index.name === SCHEDULED_ORDER_EXPIRY_INDEX,
    );
    if (existing) return typeof existing.expireAfterSeconds === 'number';
    try {
      await collection.createIndex(
        { createdTime: 1 },
        { name: SCHEDULED_ORDER_EXPIRY_INDEX, expireAfterSeconds: Math.floor(retentionMs / 1000) },
      );
      return true;
    } catch {
      await collection.createIndex({ createdTime: 1 }, { name: SCHEDULED_ORDER_EXPIRY_INDEX });
      return false;
    }
  }

  /** Removes the orders created before `cutoff`; how many. */
  async deleteCreatedBefore(cutoff: Date): Promise<number> {
    this.guard();
    const result = await this.orders.deleteMany({ createdTime: { $lt: cutoff } }).exec();
    return result.deletedCount;
  }
}
