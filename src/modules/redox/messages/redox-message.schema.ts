import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/**
 * `meta` of a stored Redox message, with Redox's own key spelling (behavior-integrations.md §1.3):
 * the worker reads `meta.DataModel` / `meta.EventType`, integration checks query `meta.Logs.ID`.
 * `EventDateTime`, `Test` and `FacilityCode` are null when absent; the other keys appear only when sent.
 */
export interface RedoxMetaRecord {
  DataModel: string;
  EventType: string;
  EventDateTime: string | null;
  Test: boolean | null;
  FacilityCode: string | null;
  Destinations?: Array<{ ID: unknown; Name: unknown }>;
  Logs?: Array<{ ID: unknown; AttemptID: unknown }>;
  Message?: { ID: unknown };
  Source?: { ID: unknown; Name: unknown };
  Transmission?: { ID: unknown };
}

/**
 * One message Redox sent (`POST /v1/redox`), whatever its data model: `meta` plus the whole payload
 * as received in `message`. Another service reacts to each insert; the shape is its interface.
 */
@Schema({ collection: 'redox', versionKey: false, minimize: false })
export class RedoxMessageRecord {
  _id: Types.ObjectId;
  @Prop({ type: Object, required: true }) meta: RedoxMetaRecord;
  @Prop({ type: Object, required: true }) message: Record<string, unknown>;
}

export const RedoxMessageSchema = SchemaFactory.createForClass(RedoxMessageRecord);
// Looking a stored message up by Redox's log id (operators, integration checks).
RedoxMessageSchema.index({ 'meta.Logs.ID': 1 }, { name: 'MetadataLogsId' });
// Messages of one Redox source (and facility).
RedoxMessageSchema.index({ 'meta.Source.ID': 1, 'meta.FacilityCode': 1 }, { name: 'MetadataSource' });
