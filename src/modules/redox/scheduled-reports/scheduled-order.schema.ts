import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import type { RedoxMessageRecord } from '../messages/redox-message.schema';

/** How long a scheduled order is kept (behavior-integrations.md §1.6). */
export const SCHEDULED_ORDER_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** The expiry index's name (a TTL index where the database has them, a plain one otherwise). */
export const SCHEDULED_ORDER_EXPIRY_INDEX = 'CleanupExpiredRescheduledOrdersAfter90d';

/**
 * A request to (re)send a patient's summary and report (SyncEHRData / SyncEHRDataForPatient): one
 * insert each, which another service reacts to; the shape is its interface (§1.6).
 */
@Schema({ collection: 'scheduledSummaryAndReportsOrders', versionKey: false, minimize: false })
export class ScheduledOrderRecord {
  _id: Types.ObjectId;
  @Prop({ type: String, required: true }) userId: string;
  @Prop({ type: Types.ObjectId, required: true }) clinicId: Types.ObjectId;
  @Prop({ type: Date, required: true }) createdTime: Date;
  /** The whole stored order the subscription was last matched with; absent when it no longer exists. */
  @Prop({ type: Object }) lastMatchedOrder?: RedoxMessageRecord;
  /** The most recent earlier scheduled order for the same order; absent the first time. */
  @Prop({ type: Object }) precedingDocument?: { _id: Types.ObjectId; createdTime: Date };
}

export const ScheduledOrderSchema = SchemaFactory.createForClass(ScheduledOrderRecord);
// Scheduling: the latest earlier scheduled order of each order (precedingDocument).
ScheduledOrderSchema.index({ 'lastMatchedOrder._id': 1, createdTime: -1 }, { name: 'LastMatchedOrderByID' });
// The `createdTime` index the expiry uses is created at start-up (ScheduledOrdersExpiry): a TTL index
// where the database supports one, a plain one otherwise.
