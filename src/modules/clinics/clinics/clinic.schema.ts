import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

export interface PhoneNumberRecord {
  type?: string;
  number: string;
}

export interface PatientTagRecord {
  _id: Types.ObjectId;
  name: string;
}

/** Stored with the key `id` (not `_id`), as in the established data model. */
export interface SiteRecord {
  id: Types.ObjectId;
  name: string;
}

/**
 * A change to the clinic's patients that follows a change of its tags or sites (a removed tag, a
 * renamed, removed or merged site, a tag converted to a site). Recorded on the clinic in the same
 * single-document update as the tag or site change, carried out on the patients, then removed; one
 * left behind by a failure or a crash is carried out on the next start-up (or before the clinic's
 * next tag or site change). Carrying one out twice changes nothing.
 */
export type PendingPatientChange =
  | { id: Types.ObjectId; kind: 'removeTag'; tagId: Types.ObjectId }
  | { id: Types.ObjectId; kind: 'removeSite'; siteId: Types.ObjectId }
  | { id: Types.ObjectId; kind: 'renameSite'; siteId: Types.ObjectId; name: string }
  | { id: Types.ObjectId; kind: 'mergeSite'; siteId: Types.ObjectId; target: SiteRecord }
  | { id: Types.ObjectId; kind: 'convertTag'; tagId: Types.ObjectId; site: SiteRecord };

export interface MembershipRestrictionRecord {
  emailDomain: string;
  requiredIdp?: string;
}

export interface MrnSettingsRecord {
  required: boolean;
  unique: boolean;
}

export interface PatientCountLimitRecord {
  plan?: number;
  startDate?: Date;
  endDate?: Date;
  /** Legacy name of `plan` in older documents. */
  patientCount?: number;
}

export interface PatientCountSettingsRecord {
  hardLimit?: PatientCountLimitRecord;
  softLimit?: PatientCountLimitRecord;
}

export interface PatientCountRecord {
  total: number;
  demo: number;
  plan: number;
  providers?: Record<string, unknown>;
}

/**
 * `ehrSettings` as stored (behavior-integrations.md §1.7): the shape other services (the worker, via
 * the API) rely on. Optional keys are left out when unset; `destinationIds` and
 * `scheduledReports.onUploadNoteEventType` are null when unset.
 */
export interface EhrSettingsRecord {
  enabled: boolean;
  provider: string;
  sourceId: string;
  mrnIdType?: string;
  procedureCodes?: {
    enableSummaryReports?: string;
    disableSummaryReports?: string;
    createAccount?: string;
    createAccountAndEnableReports?: string;
  };
  destinationIds?: { flowsheet: string; notes: string; results: string } | null;
  scheduledReports?: { cadence?: string; onUploadEnabled?: boolean; onUploadNoteEventType?: string | null };
  tags?: { codes?: string[] | null; separator?: string };
  flowsheets?: { icode?: boolean };
  notes?: { includeGmi?: boolean };
}

export interface SuppressedNotificationsRecord {
  patientClinicInvitation?: boolean;
}

/**
 * A clinic (workspace). `admins` mirrors the user ids of its clinicians holding CLINIC_ADMIN and
 * doubles as the lock that keeps at least one admin: removals are conditional single-document
 * updates on this array (see CliniciansService). `shareCodes` holds the canonical code plus the
 * codes of clinics merged into this one.
 */
@Schema({ collection: 'clinics', versionKey: false })
export class ClinicRecord {
  _id: Types.ObjectId;
  @Prop({ type: String }) name?: string;
  @Prop({ type: String }) address?: string;
  @Prop({ type: String }) city?: string;
  @Prop({ type: String }) clinicType?: string;
  @Prop({ type: String }) clinicSize?: string;
  @Prop({ type: String }) country?: string;
  @Prop({ type: String }) postalCode?: string;
  @Prop({ type: String }) state?: string;
  @Prop({ type: String }) website?: string;
  @Prop({ type: [Object], default: undefined }) phoneNumbers?: PhoneNumberRecord[] | null;
  @Prop({ type: [Object], default: undefined }) patientTags?: PatientTagRecord[];
  @Prop({ type: [Object], default: undefined }) sites?: SiteRecord[];
  @Prop({ type: String, required: true }) canonicalShareCode: string;
  @Prop({ type: [String], required: true }) shareCodes: string[];
  @Prop({ type: [String], default: [] }) admins: string[];
  @Prop({ type: Date, required: true }) createdTime: Date;
  @Prop({ type: Date, required: true }) updatedTime: Date;
  @Prop({ type: Boolean }) isMigrated?: boolean;
  @Prop({ type: String }) tier?: string;
  @Prop({ type: String }) preferredBgUnits?: string;
  @Prop({ type: Object }) suppressedNotifications?: SuppressedNotificationsRecord;
  @Prop({ type: String, default: null }) timezone?: string | null;
  @Prop({ type: [Object], default: undefined }) membershipRestrictions?: MembershipRestrictionRecord[] | null;
  /** UpdateEHRSettings (the Redox module, through EhrSettingsService). */
  @Prop({ type: Object }) ehrSettings?: EhrSettingsRecord;
  @Prop({ type: Object }) mrnSettings?: MrnSettingsRecord;
  @Prop({ type: Object }) patientCountSettings?: PatientCountSettingsRecord;
  @Prop({ type: Object }) patientCount?: PatientCountRecord;
  /** The id of the tag deleted last (DeletePatientTag, ConvertPatientTagToSite). */
  @Prop({ type: Types.ObjectId }) lastDeletedPatientTag?: Types.ObjectId;
  /** Patient changes still to carry out, oldest first (see {@link PendingPatientChange}). */
  @Prop({ type: [Object], default: undefined }) pendingPatientChanges?: PendingPatientChange[];
}

export const ClinicSchema = SchemaFactory.createForClass(ClinicRecord);
// CreateClinic: no two clinics share a canonical code (a collision is retried with a new code).
// Every clinic has the field, so the index means the same on MongoDB and FerretDB.
ClinicSchema.index({ canonicalShareCode: 1 }, { unique: true });
// findByShareCode (GetClinicByShareCode, ListClinics `shareCode`, the share-code pre-check).
// Not unique: a unique index over an array is not portable; uniqueness is checked in the service.
ClinicSchema.index({ shareCodes: 1 });
// ListClinics `createdTimeStart`/`createdTimeEnd`.
ClinicSchema.index({ createdTime: 1 });
// ListClinics `ehrEnabled`, sorted by _id.
ClinicSchema.index({ 'ehrSettings.enabled': 1, _id: 1 });
// Start-up: clinics with patient changes left to carry out.
ClinicSchema.index({ 'pendingPatientChanges.id': 1 });
// MatchClinicAndPatient: the enabled clinics of an EHR source (Redox `Meta.Source.ID`, Xealth deployment).
ClinicSchema.index({ 'ehrSettings.sourceId': 1 });
