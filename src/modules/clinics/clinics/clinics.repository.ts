import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import type { Page } from '../../../common/validation/pagination.dto';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import {
  ClinicRecord,
  EhrSettingsRecord,
  MembershipRestrictionRecord,
  MrnSettingsRecord,
  PatientCountRecord,
  PatientCountSettingsRecord,
  PatientTagRecord,
  PendingPatientChange,
  SiteRecord,
  SuppressedNotificationsRecord,
} from './clinic.schema';
import { nextUpdatedTime } from '../clinicians/clinicians.repository';
import { ShareCodeRecord } from './share-code.schema';
import type { BatchOutcome } from '../../../database/group-commit';
import { findLean, findOneLean } from '../../../database/lean-reads';
import { ClinicReadCaches } from '../clinic-read-cache';

/** The read cache's key of a clinic's own document. */
const CLINIC_DOCUMENT = 'clinic';

export type NewClinic = Omit<ClinicRecord, '_id' | 'createdTime' | 'updatedTime'>;

/** The fields UpdateClinic may change; `undefined` leaves a field alone, `null` clears it. */
export type ClinicProfileChanges = Partial<
  Pick<
    ClinicRecord,
    | 'name'
    | 'address'
    | 'city'
    | 'clinicType'
    | 'clinicSize'
    | 'country'
    | 'postalCode'
    | 'state'
    | 'website'
    | 'preferredBgUnits'
    | 'timezone'
    | 'phoneNumbers'
  >
>;

export interface ClinicListFilters {
  shareCode?: string;
  createdTimeStart?: Date;
  createdTimeEnd?: Date;
  ehrEnabled?: boolean;
}

export interface QueryShape {
  filter: Record<string, unknown>;
  sort: Record<string, 1 | -1>;
}

/** ListClinics: the filter and order (by `_id`, i.e. creation order). Exported for the index test. */
export function clinicListQuery(filters: ClinicListFilters): QueryShape {
  const filter: Record<string, unknown> = {};
  if (filters.shareCode !== undefined) filter.shareCodes = filters.shareCode;
  if (filters.createdTimeStart || filters.createdTimeEnd) {
    filter.createdTime = {
      ...(filters.createdTimeStart ? { $gte: filters.createdTimeStart } : {}),
      ...(filters.createdTimeEnd ? { $lt: filters.createdTimeEnd } : {}),
    };
  }
  // With `false`, clinics without EHR settings do not match (as in the established service).
  if (filters.ehrEnabled !== undefined) filter['ehrSettings.enabled'] = filters.ehrEnabled;
  return { filter, sort: { _id: 1 } };
}

/** A change of a clinic's tags or sites, written in one conditional update (see ClinicsWriter.changeTagsAndSites). */
export interface TagAndSiteChanges {
  patientTags?: PatientTagRecord[];
  sites?: SiteRecord[];
  lastDeletedPatientTag?: Types.ObjectId;
  /** The patient change that follows, recorded in the same update. */
  pending?: PendingPatientChange;
}

/** Reads of the `clinics` collection; writes go through {@link ClinicsWriter}, inside the clinic write gate. */
@Injectable()
export class ClinicsRepository {
  constructor(
    @InjectModel(ClinicRecord.name) private readonly clinics: Model<ClinicRecord>,
    @InjectModel(ShareCodeRecord.name) private readonly shareCodes: Model<ShareCodeRecord>,
    private readonly caches: ClinicReadCaches,
  ) {}

  findById(clinicId: string): Promise<ClinicRecord | null> {
    return findOneLean(this.clinics, { _id: new Types.ObjectId(clinicId) });
  }

  /**
   * As {@link findById}, from the read cache when the clinic was not written since it was kept
   * there. For answering reads (GetClinic), not for deciding a write.
   */
  async findByIdCached(clinicId: string): Promise<ClinicRecord | null> {
    const cached = this.caches.clinics.get(clinicId, CLINIC_DOCUMENT);
    if (cached) return cached;
    const readStarted = this.caches.clinics.readStarted();
    const found = await this.findById(clinicId);
    if (found) this.caches.clinics.store(readStarted, clinicId, CLINIC_DOCUMENT, found);
    return found;
  }

  /** One query for a page of related clinics (no N+1). */
  findByIds(clinicIds: Types.ObjectId[]): Promise<ClinicRecord[]> {
    if (clinicIds.length === 0) return Promise.resolve([]);
    return findLean(this.clinics, { _id: { $in: clinicIds } });
  }

  /** Exact and case-sensitive, through the share-code registry (two `_id` reads). */
  async findByShareCode(shareCode: string): Promise<ClinicRecord | null> {
    const registered = await this.shareCodes.findOne({ _id: shareCode }).lean<ShareCodeRecord>().exec();
    if (!registered) return null;
    return this.clinics.findOne({ _id: registered.clinicId }).lean<ClinicRecord>().exec();
  }

  /** Clinics with patient changes left to carry out (start-up). */
  findWithPendingPatientChanges(): Promise<ClinicRecord[]> {
    return this.clinics
      .find({ 'pendingPatientChanges.id': { $exists: true } })
      .sort({ _id: 1 })
      .lean<ClinicRecord[]>()
      .exec();
  }

  /** Clinics with enabled EHR settings of this provider and source (at most `limit`). */
  findEhrClinicsBySource(provider: string, sourceId: string, limit: number): Promise<ClinicRecord[]> {
    return this.clinics
      .find({ 'ehrSettings.sourceId': sourceId, 'ehrSettings.provider': provider, 'ehrSettings.enabled': true })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<ClinicRecord[]>()
      .exec();
  }

  list(filters: ClinicListFilters, page: Page): Promise<ClinicRecord[]> {
    const { filter, sort } = clinicListQuery(filters);
    return this.clinics.find(filter).sort(sort).skip(page.offset).limit(page.limit).lean<ClinicRecord[]>().exec();
  }
}

/**
 * Writes to one clinic's document. Only the clinic write gate creates it, bound to the clinic whose
 * writes it holds; it refuses to write once the gate is released.
 */
export class ClinicsWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly clinicId: Types.ObjectId,
    private readonly clinics: Model<ClinicRecord>,
    private readonly shareCodes: Model<ShareCodeRecord>,
  ) {
    super(scope);
  }

  /**
   * Claims a share code for the clinic of each writer (one insert command). An outcome per code: a
   * taken code fails with the driver's duplicate-key error.
   */
  static registerShareCodes(writers: ClinicsWriter[], codes: string[]): Promise<Array<BatchOutcome<ShareCodeRecord>>> {
    return ClinicsWriter.insertForEach(
      writers,
      (writer) => writer.shareCodes,
      (writer, index): ShareCodeRecord => ({ _id: codes[index], clinicId: writer.clinicId }),
    );
  }

  /** Frees the clinic's share codes (after its deletion, or when its insert failed). */
  async releaseShareCodes(): Promise<void> {
    this.guard();
    await this.shareCodes.deleteMany({ clinicId: this.clinicId }).exec();
  }

  /**
   * Each writer's clinic, with the id its gate was opened for (one insert command). An outcome per
   * clinic: a taken canonical share code fails with the driver's duplicate-key error.
   */
  static insertEach(writers: ClinicsWriter[], clinics: NewClinic[]): Promise<Array<BatchOutcome<ClinicRecord>>> {
    const now = new Date();
    return ClinicsWriter.insertForEach(
      writers,
      (writer) => writer.clinics,
      (writer, index): ClinicRecord => ({
        _id: writer.clinicId,
        ...clinics[index],
        createdTime: now,
        updatedTime: now,
      }),
    );
  }

  async delete(): Promise<boolean> {
    this.guard();
    const result = await this.clinics.deleteOne({ _id: this.clinicId }).exec();
    return result.deletedCount > 0;
  }

  /** UpdateClinic; false when there is no such clinic. */
  updateProfile(changes: ClinicProfileChanges): Promise<boolean> {
    const set: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(changes)) {
      if (value !== undefined) set[field] = value;
    }
    return this.setFields(set);
  }

  setTier(tier: string): Promise<boolean> {
    return this.setFields({ tier });
  }

  setSuppressedNotifications(value: SuppressedNotificationsRecord): Promise<boolean> {
    return this.setFields({ suppressedNotifications: value });
  }

  /** `null` clears the restrictions. */
  setMembershipRestrictions(value: MembershipRestrictionRecord[] | null): Promise<boolean> {
    return this.setFields({ membershipRestrictions: value });
  }

  setMrnSettings(value: MrnSettingsRecord): Promise<boolean> {
    return this.setFields({ mrnSettings: value });
  }

  setPatientCountSettings(value: PatientCountSettingsRecord): Promise<boolean> {
    return this.setFields({ patientCountSettings: value });
  }

  /**
   * Replaces the clinic's tag and/or site arrays (and records the patient change that follows), only
   * if the clinic is unchanged since `read` was read: the limits and name rules checked on `read` hold
   * however requests interleave (atomic on MongoDB; on the embedded database the gate serialises).
   * False when the clinic changed or went away (the caller rereads and retries).
   */
  async changeTagsAndSites(read: ClinicRecord, changes: TagAndSiteChanges): Promise<boolean> {
    this.guard();
    const set: Record<string, unknown> = { updatedTime: nextUpdatedTime(read.updatedTime) };
    if (changes.patientTags) set.patientTags = changes.patientTags;
    if (changes.sites) set.sites = changes.sites;
    if (changes.lastDeletedPatientTag) set.lastDeletedPatientTag = changes.lastDeletedPatientTag;
    const update: Record<string, unknown> = { $set: set };
    if (changes.pending) update.$push = { pendingPatientChanges: changes.pending };
    const result = await this.clinics.updateOne({ _id: this.clinicId, updatedTime: read.updatedTime }, update).exec();
    return result.matchedCount > 0;
  }

  /** Removes a patient change once carried out (the entry as read, compared whole). */
  async removePendingPatientChange(change: PendingPatientChange): Promise<void> {
    this.guard();
    await this.clinics.updateOne({ _id: this.clinicId }, { $pull: { pendingPatientChanges: change } }).exec();
  }

  /** UpdateEHRSettings: the whole object replaces the stored one. */
  setEhrSettings(value: EhrSettingsRecord): Promise<boolean> {
    return this.setFields({ ehrSettings: value });
  }

  /** Promotion, creation or association of an admin; idempotent. False when there is no such clinic. */
  async addAdmin(userId: string): Promise<boolean> {
    this.guard();
    const result = await this.clinics
      .updateOne({ _id: this.clinicId }, { $addToSet: { admins: userId }, $set: { updatedTime: new Date() } })
      .exec();
    return result.matchedCount > 0;
  }

  /**
   * Removes the user from `admins` only when the array holds the user and at least one other
   * entry, in one conditional update: concurrent removals can never empty it. False when that
   * condition does not hold (the caller rereads to tell "last admin" from "not listed").
   */
  async removeAdminUnlessLast(userId: string): Promise<boolean> {
    this.guard();
    const result = await this.clinics
      .updateOne(
        { _id: this.clinicId, admins: { $all: [userId] }, 'admins.1': { $exists: true } },
        { $pull: { admins: userId }, $set: { updatedTime: new Date() } },
      )
      .exec();
    return result.modifiedCount > 0;
  }

  /** TriggerInitialMigration; idempotent. False when there is no such clinic. */
  markMigrated(): Promise<boolean> {
    return this.setFields({ isMigrated: true });
  }

  /**
   * DeleteUserFromClinics: takes the user out of `admins` even when that leaves none (the deleted
   * user's records are gone, so no one else can stand in). Idempotent.
   */
  async removeAdmin(userId: string): Promise<void> {
    this.guard();
    await this.clinics
      .updateOne({ _id: this.clinicId }, { $pull: { admins: userId }, $set: { updatedTime: new Date() } })
      .exec();
  }

  /**
   * Removes the stored patient counts before a multi-step change that ends with a recount: if the
   * change is interrupted, the next read or increment finds no counts and recounts (see
   * adjustPatientCount and GetPatientCount), so stale counts are never left behind.
   */
  async clearPatientCount(): Promise<void> {
    this.guard();
    await this.clinics.updateOne({ _id: this.clinicId }, { $unset: { patientCount: '' } }).exec();
  }

  /**
   * A recount's result replaces the stored patient counts. False when there is no such clinic. The
   * old counts are removed first: FerretDB 1.24 takes `$set` of a sub-document whose values equal the
   * stored ones for no change even when the keys differ (providers `{dexcom: …}` → `{abbott: …}`).
   * Meanwhile increments find no counts and recount instead (see adjustPatientCount).
   */
  async setPatientCount(count: PatientCountRecord): Promise<boolean> {
    this.guard();
    await this.clinics.updateOne({ _id: this.clinicId }, { $unset: { patientCount: '' } }).exec();
    return this.setFields({ patientCount: count });
  }

  /**
   * Adds `$inc` amounts to the stored patient counts (paths under `patientCount`), only when the
   * clinic holds counts in the current form. With `planBelow`, only while the stored plan count is
   * below it — the patient limit as one conditional update, so concurrent creations can never take the
   * count past it. False when a condition does not hold or there is no such clinic.
   */
  async adjustPatientCount(amounts: Record<string, number>, options: { planBelow?: number } = {}): Promise<boolean> {
    this.guard();
    const filter: Record<string, unknown> = {
      _id: this.clinicId,
      'patientCount.total': { $exists: true },
      'patientCount.demo': { $exists: true },
      'patientCount.plan': options.planBelow === undefined ? { $exists: true } : { $lt: options.planBelow },
    };
    const update: Record<string, unknown> = { $set: { updatedTime: new Date() } };
    if (Object.keys(amounts).length > 0) update.$inc = amounts;
    const result = await this.clinics.updateOne(filter, update).exec();
    return result.matchedCount > 0;
  }

  /**
   * Sets whole fields. Object-valued fields are removed first: FerretDB 1.24 skips a `$set` of a
   * sub-document whose values equal the stored ones under other keys (`{hardLimit: {plan: 5}}` →
   * `{softLimit: {plan: 5}}` would be ignored). Both steps run inside the gate.
   */
  private async setFields(fields: Record<string, unknown>): Promise<boolean> {
    this.guard();
    const objects = Object.keys(fields).filter((field) => typeof fields[field] === 'object' && fields[field] !== null);
    if (objects.length > 0) {
      await this.clinics
        .updateOne({ _id: this.clinicId }, { $unset: Object.fromEntries(objects.map((field) => [field, ''])) })
        .exec();
    }
    const result = await this.clinics
      .updateOne({ _id: this.clinicId }, { $set: { ...fields, updatedTime: new Date() } })
      .exec();
    return result.matchedCount > 0;
  }
}
