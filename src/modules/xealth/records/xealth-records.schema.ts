import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/** What the care provider entered in the patient enrollment form (false and empty members omitted). */
export interface PreorderPatientRecord {
  email?: string;
  connectAbbott?: boolean;
  connectDexcom?: boolean;
}

/** What the care provider entered in the guardian enrollment form (false and empty members omitted). */
export interface PreorderGuardianRecord extends PreorderPatientRecord {
  firstName?: string;
  lastName?: string;
}

/**
 * `xealth_preorder` (behavior-integrations.md §2.9): the enrollment form data of one pre-order,
 * keyed by the `dataTrackingId` Xealth later sends back in the order.
 */
@Schema({ collection: 'xealth_preorder', versionKey: false })
export class XealthPreorderRecord {
  _id: Types.ObjectId;
  @Prop({ type: String, required: true }) dataTrackingId: string;
  @Prop({ type: Object }) patient?: PreorderPatientRecord;
  @Prop({ type: Object }) guardian?: PreorderGuardianRecord;
  @Prop({ type: Object }) tags?: { ids?: string[] };
}

export const XealthPreorderSchema = SchemaFactory.createForClass(XealthPreorderRecord);
// One preorder per dataTrackingId (a re-submitted form keeps the first data).
XealthPreorderSchema.index({ dataTrackingId: 1 }, { unique: true, name: 'UniqueDataTrackingId' });

/**
 * `xealth_order`: one order notification Xealth sent and the order as read from the Xealth API then
 * (JSON key names preserved; `eventNotification.eventTimeStamp` as a date). Matched messages of the
 * `xealthReports` subscription point at these documents.
 */
@Schema({ collection: 'xealth_order', versionKey: false, minimize: false })
export class XealthOrderRecord {
  _id: Types.ObjectId;
  @Prop({ type: Object, required: true }) eventNotification: Record<string, unknown>;
  @Prop({ type: Object, required: true }) orderData: Record<string, unknown>;
}

export const XealthOrderSchema = SchemaFactory.createForClass(XealthOrderRecord);

/** `xealth_report_view`: an EHR user opened a patient's report through a program URL. */
@Schema({ collection: 'xealth_report_view', versionKey: false })
export class XealthReportViewRecord {
  _id: Types.ObjectId;
  @Prop({ type: String, required: true }) userId: string;
  @Prop({ type: String, required: true }) deployment: string;
  @Prop({ type: String }) systemLogin?: string;
  @Prop({ type: String, required: true }) patientUserId: string;
  @Prop({ type: String, required: true }) programId: string;
  @Prop({ type: Types.ObjectId, required: true }) clinicId: Types.ObjectId;
  @Prop({ type: Date, required: true }) createdTime: Date;
}

export const XealthReportViewSchema = SchemaFactory.createForClass(XealthReportViewRecord);
// The last view of a patient's program by one EHR user (GetPrograms), newest first.
XealthReportViewSchema.index(
  { userId: 1, deployment: 1, programId: 1, clinicId: 1, patientUserId: 1, createdTime: -1 },
  { name: 'LastReportView' },
);
