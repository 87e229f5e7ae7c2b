import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A message kept instead of sent, when no SMTP server is configured (development, demos). */
@Schema({ collection: 'outbound_emails', versionKey: false })
export class OutboundEmailRecord {
  @Prop({ required: true }) to: string;
  @Prop({ required: true }) from: string;
  @Prop({ required: true }) subject: string;
  @Prop({ required: true }) text: string;
  @Prop({ required: true }) html: string;
  @Prop({ required: true }) createdTime: Date;
}

export const OutboundEmailSchema = SchemaFactory.createForClass(OutboundEmailRecord);
// Operators read the newest first.
OutboundEmailSchema.index({ createdTime: -1 });
