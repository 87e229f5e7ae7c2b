import type { Types } from 'mongoose';

/**
 * The stored fields of a `patients` document that ListPatients reads (behavior-patients.md §1.1, §1.3).
 * Times are BSON dates; `fullNameKey` is the lower-cased `fullName` every write keeps beside it (absent
 * when the name is empty), the key the list is ordered by.
 */
export interface PatientListRecord {
  _id: Types.ObjectId;
  clinicId: Types.ObjectId;
  userId: string;
  birthDate?: string | null;
  email?: string | null;
  fullName?: string | null;
  fullNameKey?: string | null;
  mrn?: string | null;
  targetDevices?: string[] | null;
  tags?: Types.ObjectId[] | null;
  sites?: StoredSite[] | null;
  dataSources?: StoredDataSource[] | null;
  permissions?: StoredPermissions | null;
  /** Written on every insert; read defensively so one odd document cannot fail a whole list. */
  createdTime?: Date | null;
  updatedTime?: Date | null;
  summary?: StoredSummary | null;
  /** Newest first, at most two. */
  reviews?: StoredReview[] | null;
  lastUploadReminderTime?: Date | null;
  providerConnectionRequests?: Partial<Record<string, StoredConnectionRequest[] | null>> | null;
  glycemicRanges?: StoredGlycemicRanges | null;
  diagnosisType?: string | null;
  /** Deprecated: read only as the fallback for an empty `dexcom` connection request list. */
  lastRequestedDexcomConnectTime?: Date | null;
}

export interface StoredSite {
  id: Types.ObjectId;
  name: string;
}

export interface StoredDataSource {
  providerName: string;
  state: string;
  dataSourceId?: Types.ObjectId | string | null;
  modifiedTime?: Date | string | null;
  expirationTime?: Date | string | null;
  latestDataTime?: Date | string | null;
}

/** The presence of a key grants the permission. */
export type StoredPermissions = Partial<Record<'custodian' | 'view' | 'upload' | 'note', object | null>>;

export interface StoredReview {
  clinicianId: string;
  time: Date;
}

export interface StoredConnectionRequest {
  providerName: string;
  createdTime: Date;
}

/** `summary.cgmStats` / `summary.bgmStats`, stored as received: `{id, config, dates, periods}`. */
export interface StoredStats {
  id?: string;
  config?: Record<string, unknown>;
  dates?: Record<string, unknown>;
  periods?: Record<string, Record<string, unknown>>;
}

export interface StoredSummary {
  cgmStats?: StoredStats | null;
  bgmStats?: StoredStats | null;
}

export interface StoredGlycemicRanges {
  type?: string;
  preset?: string;
  custom?: {
    name?: string;
    thresholds?: Array<{ name?: string; upperBound?: { value?: number; units?: string }; inclusive?: boolean }>;
  };
}
