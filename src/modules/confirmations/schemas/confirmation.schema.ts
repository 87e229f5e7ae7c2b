import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

export enum ConfirmationType {
  PasswordReset = 'password_reset',
  CareteamInvitation = 'careteam_invitation',
  ClinicianInvitation = 'clinician_invitation',
  SignupConfirmation = 'signup_confirmation',
  NoAccount = 'no_account',
}

export enum ConfirmationStatus {
  Pending = 'pending',
  Completed = 'completed',
  Canceled = 'canceled',
  Declined = 'declined',
}

export class ConfirmationCreator {
  @Prop() clinicId?: string;
  @Prop() clinicName?: string;
}

/**
 * An invite. For clinician invites the key is also the clinic-side `inviteId`. Fields keep the
 * established confirmation shape; `emailKey` (lower-cased) serves the case-insensitive claim.
 * A patient's share with a clinic (`careteam_invitation` with a `clinicId`) has no e-mail; its
 * `creatorId` is the patient and its `context` the permissions offered.
 */
@Schema({ collection: 'confirmations', versionKey: false })
export class ConfirmationRecord {
  /** The confirmation key: 24 random bytes, URL-safe base64 (32 characters). */
  @Prop({ type: String, required: true }) _id: string;
  @Prop({ type: String, enum: Object.values(ConfirmationType), required: true }) type: ConfirmationType;
  @Prop({ type: String, enum: Object.values(ConfirmationStatus), required: true }) status: ConfirmationStatus;
  /** As typed by the inviter; `""` for a patient's share with a clinic. */
  @Prop({ type: String, default: '' }) email: string;
  @Prop({ type: String, default: '' }) emailKey: string;
  @Prop() clinicId?: string;
  @Prop({ required: true }) creatorId: string;
  @Prop({ type: ConfirmationCreator, _id: false, default: {} }) creator: ConfirmationCreator;
  /** The invitee's user id once known, `""` until then. */
  @Prop({ type: String, default: '' }) userId: string;
  @Prop({ type: [String], default: undefined }) roles?: string[];
  /** JSON; for a share with a clinic, the permissions offered (`{"view":{},"upload":{}}`). */
  @Prop() context?: string;
  @Prop() expiresAt?: Date;
  /**
   * `<clinicId>:<patientUserId>`, present only on the share that blocks a new one from the same
   * patient to the same clinic (pending and not known to have expired); unique, so concurrent shares
   * make one invite. Removed when the share is finished, or when it has expired and is re-shared.
   */
  @Prop() shareKey?: string;
  @Prop({ required: true }) created: Date;
  @Prop({ required: true }) modified: Date;
}

export const ConfirmationSchema = SchemaFactory.createForClass(ConfirmationRecord);
// claimPendingClinicianInvites: pending invites addressed to an e-mail, not yet linked to a user
ConfirmationSchema.index({ emailKey: 1, type: 1, status: 1 });
// listPendingClinicianInvitesForUser, newest first
ConfirmationSchema.index({ userId: 1, type: 1, status: 1, created: -1 });
// ShareWithClinic: one open share per patient and clinic
ConfirmationSchema.index({ shareKey: 1 }, { unique: true, sparse: true });
// GetPatientInvites: a clinic's pending shares, newest first
ConfirmationSchema.index({ clinicId: 1, type: 1, status: 1, created: -1 });
// ListSentInvites: a patient's pending shares, newest first
ConfirmationSchema.index({ creatorId: 1, type: 1, status: 1, created: -1 });
