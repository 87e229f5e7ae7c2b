import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { declarePatientListIndexes } from './list/patient-list.indexes';
import { Types } from 'mongoose';

export const PATIENT_PERMISSIONS = ['custodian', 'view', 'upload', 'note'] as const;
export type PatientPermission = (typeof PATIENT_PERMISSIONS)[number];

/** Presence of a key grants the permission; the value is always `{}`. */
export type PatientPermissionsRecord = Partial<Record<PatientPermission, Record<string, never>>>;

export const CONNECTION_PROVIDERS = ['abbott', 'dexcom', 'twiist'] as const;
export type ConnectionProvider = (typeof CONNECTION_PROVIDERS)[number];

/** A denormalised copy of a clinic site (`id` as in the clinic document; `patients` only from tag conversion). */
export interface PatientSiteRecord {
  id: Types.ObjectId;
  name: string;
  patients?: number;
}

export interface DataSourceRecord {
  providerName: string;
  state: string;
  dataSourceId?: Types.ObjectId;
  modifiedTime?: Date;
  expirationTime?: Date;
  latestDataTime?: Date;
}

export interface ReviewRecord {
  clinicianId: string;
  time: Date;
}

export interface ConnectionRequestRecord {
  providerName: string;
  createdTime: Date;
}

/** An EHR message a subscription was matched with: the id of its document (e.g. in `redox`). */
export interface EhrMatchedMessageRecord {
  /** An ObjectId; hex strings in documents written by older tools. */
  id?: Types.ObjectId | string;
  dataModel?: string;
  eventType?: string;
}

/** `ehrSubscriptions.<name>` (behavior-integrations.md §1.5); `matchedMessages` oldest first. */
export interface EhrSubscriptionRecord {
  active: boolean;
  provider?: string;
  matchedMessages?: EhrMatchedMessageRecord[];
  createdAt?: Date;
  updatedAt?: Date;
}

export interface GlycemicRangesRecord {
  type: string;
  preset?: string;
  custom?: {
    name: string;
    thresholds: Array<{ name: string; upperBound: { value: number; units: string }; inclusive?: boolean }>;
  };
}

/**
 * `summary.cgmStats` / `summary.bgmStats`, stored as received except that the date-time fields of
 * `dates` (`lastUpdatedDate`, `firstData`, `lastData`, `lastUploadDate`, `outdatedSince`,
 * `outdatedSinceLimit`) are BSON dates, so that range filters and sorts compare times.
 * `periods` is keyed by period name (`1d`, `7d`, `14d`, `30d`), each a map of metric name to value.
 */
export interface SummaryStatsRecord {
  id?: string;
  config?: Record<string, unknown>;
  dates?: Record<string, unknown>;
  periods?: Record<string, Record<string, unknown>>;
}

export interface PatientSummaryRecord {
  cgmStats?: SummaryStatsRecord;
  bgmStats?: SummaryStatsRecord;
}

/**
 * One patient of one clinic (behavior-patients.md §1.1): one document per (clinicId, userId).
 *
 * Besides the established fields, two derived keys are kept in step by every write:
 * - `fullNameKey`: `fullName` folded for ordering ({@link fullNameKey}); always present (`""` when the
 *   name is null), so the default list order (fullName case-insensitively, then `_id`) is an index
 *   order without collation.
 * - `mrnLower`: the MRN trimmed and lower-cased, present when there is a non-empty MRN — the
 *   case-insensitive MRN match of the uniqueness check and of FindPatients.
 * - `mrnKey`: `<clinicId>:<mrnLower>`, present exactly when `requireUniqueMrn` is true and the MRN is
 *   non-empty; a sparse unique index on it is the portable stand-in for the partial `UniqueMrn` index.
 *
 * `minimize: false`: granted permissions are empty objects, which Mongoose would otherwise drop.
 */
@Schema({ collection: 'patients', versionKey: false, minimize: false })
export class PatientRecord {
  _id: Types.ObjectId;
  @Prop({ type: Types.ObjectId, required: true }) clinicId: Types.ObjectId;
  @Prop({ type: String, required: true }) userId: string;
  /** `YYYY-MM-DD`, `""` or null; always written. */
  @Prop({ type: String, default: null }) birthDate: string | null;
  /** Lower-cased when written through the API; always written. */
  @Prop({ type: String, default: null }) email: string | null;
  /** Not trimmed; always written. */
  @Prop({ type: String, default: null }) fullName: string | null;
  @Prop({ type: String, required: true, default: '' }) fullNameKey: string;
  @Prop({ type: String, default: null }) mrn: string | null;
  @Prop({ type: String }) mrnLower?: string;
  @Prop({ type: String }) mrnKey?: string;
  @Prop({ type: [String], default: null }) targetDevices: string[] | null;
  @Prop({ type: Boolean, default: false }) requireUniqueMrn: boolean;
  /** Tag ids; legacy documents may hold null. */
  @Prop({ type: [Types.ObjectId], default: undefined }) tags?: Types.ObjectId[] | null;
  @Prop({ type: [Object], default: undefined }) sites?: PatientSiteRecord[];
  @Prop({ type: [Object], default: undefined }) dataSources?: DataSourceRecord[] | null;
  @Prop({ type: Object }) permissions?: PatientPermissionsRecord;
  @Prop({ type: Boolean }) isMigrated?: boolean;
  @Prop({ type: [String], default: undefined }) legacyClinicianIds?: string[];
  @Prop({ type: Date, required: true }) createdTime: Date;
  @Prop({ type: Date, required: true }) updatedTime: Date;
  /** The clinician who created a custodial account. */
  @Prop({ type: String }) invitedBy?: string;
  @Prop({ type: Object }) summary?: PatientSummaryRecord;
  /** Newest first, at most two. */
  @Prop({ type: [Object], default: undefined }) reviews?: ReviewRecord[];
  @Prop({ type: Date }) lastUploadReminderTime?: Date;
  /** Per provider, newest first. */
  @Prop({ type: Object }) providerConnectionRequests?: Partial<Record<ConnectionProvider, ConnectionRequestRecord[]>>;
  @Prop({ type: Object }) ehrSubscriptions?: Record<string, EhrSubscriptionRecord>;
  @Prop({ type: Object }) glycemicRanges?: GlycemicRangesRecord;
  /** May be `""`; absent only when never supplied. */
  @Prop({ type: String }) diagnosisType?: string;
  /** Deprecated; read only, as a fallback for `connectionRequests.dexcom`. */
  @Prop({ type: Date }) lastRequestedDexcomConnectTime?: Date;
}

export const PatientSchema = SchemaFactory.createForClass(PatientRecord);
// One patient record per user per clinic (CreatePatientAccount, CreatePatientFromUser, demo patient);
// also every (clinicId, userId) lookup: GetPatient, UpdatePatient, DeletePatient, permissions, reviews.
PatientSchema.index({ clinicId: 1, userId: 1 }, { unique: true });
// A user's records in every clinic: ListClinicsForPatient (ordered by name), UpdatePatientSummary.
PatientSchema.index({ userId: 1, fullNameKey: 1, _id: 1 });
// ListPatients default order (fullName case-insensitively, then _id), FindPatients, DeleteClinic's
// patient listing, patient counts (`clinicId` prefix).
PatientSchema.index({ clinicId: 1, fullNameKey: 1, _id: 1 });
// ListPatients sort by birthDate.
PatientSchema.index({ clinicId: 1, birthDate: 1, _id: 1 });
// ListPatients `search` over email (a regex over the clinic's patients).
PatientSchema.index({ clinicId: 1, email: 1 });
// ListPatients `search` over the MRN.
PatientSchema.index({ clinicId: 1, mrn: 1 });
// MRN uniqueness check and FindPatients `mrn` (case-insensitive through the lower-cased copy).
PatientSchema.index({ clinicId: 1, mrnLower: 1 });
// MRN unique per clinic where the clinic requires it (present only on such records; see mrnKey).
PatientSchema.index({ mrnKey: 1 }, { unique: true, sparse: true });
// ListPatients `tags` (all of), clinic tag counts.
PatientSchema.index({ clinicId: 1, tags: 1 });
// ListPatients `sites` (any of), clinic site counts, site renames and deletions.
PatientSchema.index({ clinicId: 1, 'sites.id': 1 });
// Patient counts per provider and state (RefreshPatientCount).
PatientSchema.index({ clinicId: 1, 'dataSources.providerName': 1 });
PatientSchema.index({ clinicId: 1, 'dataSources.state': 1 });
// ListPatients `lastReviewed` and the lastReviewed sort.
PatientSchema.index({ clinicId: 1, 'reviews.0.time': 1, _id: 1 });
// ListPatients `cgm.lastDataFrom`/`To` and the lastData sort (the period metrics are filtered on the
// documents this narrows to).
PatientSchema.index({ clinicId: 1, 'summary.cgmStats.dates.lastData': 1, _id: 1 });
PatientSchema.index({ clinicId: 1, 'summary.bgmStats.dates.lastData': 1, _id: 1 });
// SyncEHRData: a clinic's records with an active Redox subscription, in `_id` pages. (SyncEHRDataForPatient
// reads a user's records through the `userId` index above.)
PatientSchema.index({ clinicId: 1, 'ehrSubscriptions.summaryAndReports.active': 1, _id: 1 });
// DeletePatientSummary: records holding a summary id.
PatientSchema.index({ 'summary.cgmStats.id': 1 });
PatientSchema.index({ 'summary.bgmStats.id': 1 });
// ListPatients: one key per sort order (see patient-list.indexes.ts)
declarePatientListIndexes(PatientSchema);

/**
 * The ordering key of a name: accents removed and lower-cased, like the established service's
 * case- and accent-insensitive collation (strength 1). `""` for a missing name (sorts first, as null does).
 */
export function fullNameKey(fullName: string | null | undefined): string {
  if (!fullName) return '';
  return fullName
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The MRN as compared: trimmed and lower-cased; undefined when empty. */
export function mrnLower(mrn: string | null | undefined): string | undefined {
  const folded = mrn?.trim().toLowerCase();
  return folded ? folded : undefined;
}

/** The unique MRN key of a record that requires a unique MRN; undefined otherwise. */
export function mrnKey(
  clinicId: string,
  mrn: string | null | undefined,
  requireUniqueMrn: boolean,
): string | undefined {
  const folded = mrnLower(mrn);
  return requireUniqueMrn && folded ? `${clinicId}:${folded}` : undefined;
}
