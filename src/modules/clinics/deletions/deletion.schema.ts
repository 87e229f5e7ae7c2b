import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';
import type { ClinicRecord } from '../clinics/clinic.schema';
import type { ClinicianRecord } from '../clinicians/clinician.schema';
import type { PatientRecord } from '../patients/patient.schema';

/**
 * Archive of a deleted clinic: `{deletedTime, deletedByUserId?, clinic}`. The archive's `_id` is the
 * clinic's own id, so writing it again (a retried deletion) replaces it instead of adding another.
 * No secondary index: nothing in this service reads archives by any other key.
 */
@Schema({ collection: 'clinic_deletions', versionKey: false })
export class ClinicDeletionRecord {
  _id: Types.ObjectId;
  @Prop({ required: true }) deletedTime: Date;
  @Prop() deletedByUserId?: string;
  @Prop({ type: Object, required: true }) clinic: ClinicRecord;
}

export const ClinicDeletionSchema = SchemaFactory.createForClass(ClinicDeletionRecord);

/** Archive of a deleted clinician record, keyed by the record's own id like clinic archives. */
@Schema({ collection: 'clinician_deletions', versionKey: false })
export class ClinicianDeletionRecord {
  _id: Types.ObjectId;
  @Prop({ required: true }) deletedTime: Date;
  @Prop() deletedByUserId?: string;
  @Prop({ type: Object, required: true }) clinician: ClinicianRecord;
}

export const ClinicianDeletionSchema = SchemaFactory.createForClass(ClinicianDeletionRecord);

/**
 * Archive of a deleted patient record: `{deletedTime, deletedByUserId?, patient}`, keyed by the record's
 * own id like the other archives (a retried deletion replaces its archive).
 */
@Schema({ collection: 'patient_deletions', versionKey: false, minimize: false })
export class PatientDeletionRecord {
  _id: Types.ObjectId;
  @Prop({ required: true }) deletedTime: Date;
  @Prop() deletedByUserId?: string;
  @Prop({ type: Object, required: true }) patient: PatientRecord;
}

export const PatientDeletionSchema = SchemaFactory.createForClass(PatientDeletionRecord);
