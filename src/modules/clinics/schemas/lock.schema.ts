import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A lease on a named resource (`clinic:<clinicId>`): held while its document exists and `expiresAt`
 * is in the future. Acquired by inserting the document — the unique `_id` makes exactly one of
 * concurrent inserts win, on MongoDB and on FerretDB alike. No secondary index: every query is by `_id`.
 */
@Schema({ collection: 'locks', versionKey: false })
export class LockRecord {
  @Prop({ type: String, required: true }) _id: string;
  /** Identifies the holder, so that only the holder releases it. */
  @Prop({ required: true }) token: string;
  @Prop({ required: true }) expiresAt: Date;
}

export const LockSchema = SchemaFactory.createForClass(LockRecord);
