import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/**
 * The share-code registry: one document per code a clinic answers to (its own, and after a merge the
 * merged clinic's), keyed by the code. The `_id` makes every code unique across clinics — which a
 * unique index over the `shareCodes` array could not do portably — and makes the look-up by code an
 * `_id` read on any engine.
 */
@Schema({ collection: 'share_codes', versionKey: false })
export class ShareCodeRecord {
  @Prop({ type: String, required: true }) _id: string;
  @Prop({ type: Types.ObjectId, required: true }) clinicId: Types.ObjectId;
}

export const ShareCodeSchema = SchemaFactory.createForClass(ShareCodeRecord);
// DeleteClinic: the registrations of one clinic
ShareCodeSchema.index({ clinicId: 1 });
