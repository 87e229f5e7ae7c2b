import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

export class RolesUpdate {
  @Prop({ type: [String], required: true }) roles: string[];
  @Prop({ required: true }) updatedBy: string;
}

/**
 * A clinician of a clinic: a member (has `userId`) or a pending invite (has `inviteId`).
 * Uniqueness is kept with scalar, sparse key fields set exactly when the rule applies, which
 * behaves the same on MongoDB and FerretDB (no partial indexes there). Every write keeps them in
 * step with `userId`/`inviteId`/`email` (see CliniciansRepository).
 */
@Schema({ collection: 'clinicians', versionKey: false })
export class ClinicianRecord {
  _id: Types.ObjectId;
  @Prop({ type: Types.ObjectId, required: true }) clinicId: Types.ObjectId;
  @Prop() userId?: string;
  @Prop() inviteId?: string;
  /** Lower-cased. */
  @Prop() email?: string;
  @Prop({ type: String, default: null }) name: string | null;
  /** Lower-cased `name`, for the case-insensitive `search` of ListClinicians. */
  @Prop() nameKey?: string;
  @Prop({ type: [String], default: [] }) roles: string[];
  @Prop({ type: [RolesUpdate], default: undefined, _id: false }) rolesUpdates?: RolesUpdate[];
  @Prop() isServiceAccount?: boolean;
  @Prop({ required: true }) createdTime: Date;
  /** Also the record's version: every write moves it forward and conditional writes compare it. */
  @Prop({ required: true }) updatedTime: Date;
  /** `<clinicId>:<userId>`, only on members: one record per user per clinic. */
  @Prop() memberKey?: string;
  /** `<clinicId>:<inviteId>`, only on invites: one record per invite. */
  @Prop() inviteKey?: string;
  /** `<clinicId>:<email>`, whenever there is an e-mail: one record per e-mail per clinic. */
  @Prop() emailKey?: string;
}

export const ClinicianSchema = SchemaFactory.createForClass(ClinicianRecord);
// findMembership / findMember (GetClinician, UpdateClinician, DeleteClinician): one member per user per clinic
ClinicianSchema.index({ memberKey: 1 }, { unique: true, sparse: true });
// findInvite (Get/Delete InvitedClinician, AssociateClinicianToUser): one record per invite
ClinicianSchema.index({ inviteKey: 1 }, { unique: true, sparse: true });
// duplicate e-mail check, and ListClinicians `email`: one record per e-mail per clinic
ClinicianSchema.index({ emailKey: 1 }, { unique: true, sparse: true });
// ListClinicians (newest first; also with `search`), DeleteClinic's listing of a clinic's clinicians
ClinicianSchema.index({ clinicId: 1, createdTime: -1, _id: -1 });
// ListClinicians `role`
ClinicianSchema.index({ clinicId: 1, roles: 1, createdTime: -1, _id: -1 });
// ListClinicsForClinician: a user's clinician records, newest first
ClinicianSchema.index({ userId: 1, createdTime: -1, _id: -1 });
// ListAllClinicians: every record, newest first, optionally within [createdTimeStart, createdTimeEnd)
ClinicianSchema.index({ createdTime: -1, _id: -1 });

export function memberKey(clinicId: string, userId: string): string {
  return `${clinicId}:${userId}`;
}

export function inviteKey(clinicId: string, inviteId: string): string {
  return `${clinicId}:${inviteId}`;
}

export function emailKey(clinicId: string, email: string): string {
  return `${clinicId}:${email.toLowerCase()}`;
}
