import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import type { Page } from '../../../common/validation/pagination.dto';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import type { QueryShape } from '../clinics/clinics.repository';
import { nextUpdatedTime } from '../clinicians/clinicians.repository';
import {
  type ConnectionRequestRecord,
  type DataSourceRecord,
  type PatientSiteRecord,
  fullNameKey,
  mrnKey,
  mrnLower,
  PATIENT_PERMISSIONS,
  PatientPermission,
  PatientPermissionsRecord,
  PatientRecord,
  PatientSummaryRecord,
  ReviewRecord,
} from './patient.schema';
import { insertDocument } from '../../../database/insert-document';
import type { BatchOutcome } from '../../../database/group-commit';
import { findLean } from '../../../database/lean-reads';

/** A record as inserted: everything but the id and the derived keys, which the writer sets. */
export type NewPatientRecord = Omit<
  PatientRecord,
  '_id' | 'clinicId' | 'fullNameKey' | 'mrnLower' | 'mrnKey' | 'createdTime' | 'updatedTime'
>;

/** The fields a patient update may set (`undefined` leaves a field alone). */
export type PatientChanges = Partial<
  Pick<
    PatientRecord,
    | 'fullName'
    | 'birthDate'
    | 'email'
    | 'mrn'
    | 'targetDevices'
    | 'requireUniqueMrn'
    | 'tags'
    | 'sites'
    | 'dataSources'
    | 'reviews'
    | 'glycemicRanges'
    | 'diagnosisType'
    | 'ehrSubscriptions'
    | 'providerConnectionRequests'
  >
>;

/** The counts stored on a clinic as `patientCount`. */
export interface PatientCountValues {
  total: number;
  demo: number;
  plan: number;
  providers: Record<string, { total: number; states: Record<string, number> }>;
}

export interface FindPatientsFilters {
  /** Compared trimmed and case-insensitively. */
  mrn?: string;
  /** Exact. */
  birthDate?: string;
}

/** Records of one user or one clinic, ordered by name case-insensitively, then `_id`. */
const BY_NAME = { fullNameKey: 1, _id: 1 } as const;
/** Provider whose patients do not count towards the plan limit (behavior-patients.md §14.2). */
export const PLAN_EXCLUDED_PROVIDER = 'twiist';

/** ListClinicsForPatient: the user's records in every clinic. Exported for the index test. */
export function patientRecordsOfUserQuery(userId: string): QueryShape {
  return { filter: { userId }, sort: { ...BY_NAME } };
}

/** FindPatients: records in the caller's clinics, optionally by MRN and birth date. */
export function findPatientsQuery(clinicIds: Types.ObjectId[], filters: FindPatientsFilters): QueryShape {
  const filter: Record<string, unknown> = { clinicId: clinicIds.length === 1 ? clinicIds[0] : { $in: clinicIds } };
  const mrn = mrnLower(filters.mrn);
  if (filters.mrn !== undefined) filter.mrnLower = mrn ?? null;
  if (filters.birthDate !== undefined) filter.birthDate = filters.birthDate;
  return { filter, sort: { ...BY_NAME } };
}

/** A clinic's records in name order (DeleteClinic's emptiness check). */
export function clinicPatientsQuery(clinicId: string): QueryShape {
  return { filter: { clinicId: new Types.ObjectId(clinicId) }, sort: { ...BY_NAME } };
}

/** The MRN uniqueness check: records of the clinic with the same MRN, compared trimmed and case-insensitively. */
export function sameMrnQuery(clinicId: string, mrn: string): QueryShape {
  return { filter: { clinicId: new Types.ObjectId(clinicId), mrnLower: mrnLower(mrn) }, sort: {} };
}

/** DeletePatientSummary: records holding a CGM or BGM summary with this id. */
export function summaryIdQuery(summaryId: string): QueryShape {
  return { filter: { $or: [{ 'summary.cgmStats.id': summaryId }, { 'summary.bgmStats.id': summaryId }] }, sort: {} };
}

/** Patient counts: plan patients (not the demo user, no twiist data source). */
export function planPatientsQuery(clinicId: string, demoUserId: string | undefined): QueryShape {
  return {
    filter: {
      clinicId: new Types.ObjectId(clinicId),
      ...(demoUserId ? { userId: { $ne: demoUserId } } : {}),
      'dataSources.providerName': { $ne: PLAN_EXCLUDED_PROVIDER },
    },
    sort: {},
  };
}

/** A patient's tags and sites, as read to rewrite them. */
export type PatientLabels = Pick<PatientRecord, '_id' | 'userId' | 'tags' | 'sites'>;

/** New tags and/or sites of one record (undefined leaves the field alone). */
export interface PatientLabelChange {
  userId: string;
  tags?: Types.ObjectId[];
  sites?: PatientSiteRecord[];
}

/** One EHR match query's values (behavior-integrations.md §1.4); each given value must match. */
export interface EhrMatchFilter {
  /** Compared trimmed and case-insensitively. */
  mrn?: string;
  /** Exact (`YYYY-MM-DD`). */
  birthDate?: string;
  /** Compared case- and accent-insensitively. */
  fullName?: string;
}

/** MatchClinicAndPatient: one criterion's query, through the normalised fields (no collation). */
export function ehrMatchQuery(clinicId: string, values: EhrMatchFilter): QueryShape {
  const filter: Record<string, unknown> = { clinicId: new Types.ObjectId(clinicId) };
  if (values.mrn !== undefined) filter.mrnLower = mrnLower(values.mrn) ?? null;
  if (values.birthDate !== undefined) filter.birthDate = values.birthDate;
  if (values.fullName !== undefined) filter.fullNameKey = fullNameKey(values.fullName);
  return { filter, sort: { ...BY_NAME } };
}

/** SyncEHRData: a clinic's records whose subscription `name` is active, in `_id` order after `afterId`. */
export function activeSubscriptionsQuery(
  clinicId: Types.ObjectId,
  name: string,
  afterId: Types.ObjectId | undefined,
): QueryShape {
  return {
    filter: {
      clinicId,
      [`ehrSubscriptions.${name}.active`]: true,
      ...(afterId ? { _id: { $gt: afterId } } : {}),
    },
    sort: { _id: 1 },
  };
}

interface GroupCount {
  /** A tag id or site id (ObjectIds; strings in older documents). */
  _id: Types.ObjectId | string | null;
  count: number;
}

/**
 * Reads of the `patients` collection; writes go through {@link PatientsWriter}, inside the clinic
 * write gate. Clinic-scoped reads always filter on the clinic id.
 */
@Injectable()
export class PatientsRepository {
  constructor(@InjectModel(PatientRecord.name) private readonly patients: Model<PatientRecord>) {}

  findOne(clinicId: string, userId: string): Promise<PatientRecord | null> {
    return this.patients
      .findOne({ clinicId: new Types.ObjectId(clinicId), userId })
      .lean<PatientRecord>()
      .exec();
  }

  /** Every clinic the user is a patient of (UpdatePatientSummary). */
  async clinicIdsOfUser(userId: string): Promise<Types.ObjectId[]> {
    const records = await this.patients
      .find({ userId }, { clinicId: 1 })
      .lean<Array<Pick<PatientRecord, 'clinicId'>>>()
      .exec();
    return records.map((record) => record.clinicId);
  }

  listOfUser(userId: string, page: Page): Promise<PatientRecord[]> {
    const { filter, sort } = patientRecordsOfUserQuery(userId);
    return this.page(filter, sort, page);
  }

  find(clinicIds: Types.ObjectId[], filters: FindPatientsFilters, page: Page): Promise<PatientRecord[]> {
    if (clinicIds.length === 0) return Promise.resolve([]);
    const { filter, sort } = findPatientsQuery(clinicIds, filters);
    return this.page(filter, sort, page);
  }

  /** The first `limit` records of a clinic (DeleteClinic: empty, or only the demo patient). */
  listFirstOfClinic(clinicId: string, limit: number): Promise<PatientRecord[]> {
    const { filter, sort } = clinicPatientsQuery(clinicId);
    return this.page(filter, sort, { offset: 0, limit });
  }

  /**
   * Up to `limit` of the clinic's records without custodian permission (DeleteUserFromClinics, for a
   * clinic left without clinicians). The caller deletes each batch before reading the next.
   */
  listNonCustodialBatch(clinicId: string, limit: number): Promise<PatientRecord[]> {
    return this.patients
      .find({ clinicId: new Types.ObjectId(clinicId), 'permissions.custodian': { $exists: false } })
      .limit(limit)
      .lean<PatientRecord[]>()
      .exec();
  }

  async hasPatients(clinicId: string): Promise<boolean> {
    const count = await this.patients.countDocuments({ clinicId: new Types.ObjectId(clinicId) }, { limit: 1 }).exec();
    return count > 0;
  }

  /** User ids of the clinic's records with this MRN (at most `limit`). */
  async userIdsWithMrn(clinicId: string, mrn: string, limit = 2): Promise<string[]> {
    const { filter } = sameMrnQuery(clinicId, mrn);
    const records = await this.patients
      .find(filter, { userId: 1 })
      .limit(limit)
      .lean<Array<Pick<PatientRecord, 'userId'>>>()
      .exec();
    return records.map((record) => record.userId);
  }

  /** MatchClinicAndPatient: the clinic's records matching one criterion's values (at most `limit`). */
  findEhrMatches(clinicId: string, values: EhrMatchFilter, limit: number): Promise<PatientRecord[]> {
    const { filter, sort } = ehrMatchQuery(clinicId, values);
    return this.page(filter, sort, { offset: 0, limit });
  }

  /** A page of the clinic's records with an active subscription `name`, after `afterId` in `_id` order. */
  listWithActiveSubscription(
    clinicId: Types.ObjectId,
    name: string,
    afterId: Types.ObjectId | undefined,
    limit: number,
  ): Promise<PatientRecord[]> {
    const { filter, sort } = activeSubscriptionsQuery(clinicId, name, afterId);
    return this.patients.find(filter).sort(sort).limit(limit).lean<PatientRecord[]>().exec();
  }

  /** The user's records (one per clinic) with an active subscription `name`. */
  findOfUserWithActiveSubscription(userId: string, name: string): Promise<PatientRecord[]> {
    return this.patients
      .find({ userId, [`ehrSubscriptions.${name}.active`]: true })
      .sort({ _id: 1 })
      .lean<PatientRecord[]>()
      .exec();
  }

  /** The clinics whose records hold a summary with this id. */
  async clinicIdsWithSummary(summaryId: string): Promise<Types.ObjectId[]> {
    const { filter } = summaryIdQuery(summaryId);
    const records = await this.patients
      .find(filter, { clinicId: 1 })
      .lean<Array<Pick<PatientRecord, 'clinicId'>>>()
      .exec();
    return records.map((record) => record.clinicId);
  }

  /**
   * Recounts a clinic's patients (behavior-patients.md §14.2) with count queries and one aggregation
   * (no `$facet`): total; the demo patient; plan patients (not demo, no twiist data source); and, over
   * the non-demo patients' data sources, patients per provider and state.
   */
  async countPatients(clinicId: string, demoUserId: string | undefined): Promise<PatientCountValues> {
    const id = new Types.ObjectId(clinicId);
    const [total, demo, plan, groups] = await Promise.all([
      this.patients.countDocuments({ clinicId: id }).exec(),
      demoUserId ? this.patients.countDocuments({ clinicId: id, userId: demoUserId }).exec() : Promise.resolve(0),
      this.patients.countDocuments(planPatientsQuery(clinicId, demoUserId).filter).exec(),
      this.patients
        .aggregate<{ _id: { provider: string; state: string }; count: number }>([
          { $match: { clinicId: id, ...(demoUserId ? { userId: { $ne: demoUserId } } : {}) } },
          { $unwind: '$dataSources' },
          {
            $group: {
              _id: { provider: '$dataSources.providerName', state: '$dataSources.state' },
              count: { $sum: 1 },
            },
          },
        ])
        .exec(),
    ]);
    const providers: PatientCountValues['providers'] = {};
    for (const group of groups) {
      const { provider, state } = group._id;
      if (typeof provider !== 'string' || typeof state !== 'string') continue;
      const entry = (providers[provider] ??= { total: 0, states: {} });
      entry.total += group.count;
      entry.states[state] = (entry.states[state] ?? 0) + group.count;
    }
    return { total, demo, plan, providers };
  }

  /**
   * Patients per tag id, over the given clinics, in one aggregation ($match, $unwind, $group — all in
   * FerretDB 1.24). Tag ids are ObjectIds created by their own clinic, so grouping by the id alone
   * counts per clinic; the result has one entry per distinct tag (at most 50 per clinic).
   */
  countByTag(clinicIds: Types.ObjectId[]): Promise<Map<string, number>> {
    return this.countGroups(clinicIds, '$tags', '$tags');
  }

  /** Patients per site id, like {@link countByTag}. */
  countBySite(clinicIds: Types.ObjectId[]): Promise<Map<string, number>> {
    return this.countGroups(clinicIds, '$sites', '$sites.id');
  }

  /**
   * A batch of the clinic's records holding the tag (`tagId`) or the site (`siteId`), in `_id` order
   * after `afterId`: only the fields a rewrite of tags and sites needs.
   */
  listLabelsWith(
    clinicId: string,
    label: { tagId: Types.ObjectId } | { siteId: Types.ObjectId },
    afterId: Types.ObjectId | undefined,
    limit: number,
  ): Promise<PatientLabels[]> {
    const filter: Record<string, unknown> = {
      clinicId: new Types.ObjectId(clinicId),
      ...('tagId' in label ? { tags: label.tagId } : { 'sites.id': label.siteId }),
      ...(afterId ? { _id: { $gt: afterId } } : {}),
    };
    return this.patients
      .find(filter, { userId: 1, tags: 1, sites: 1 })
      .sort({ _id: 1 })
      .limit(limit)
      .lean<PatientLabels[]>()
      .exec();
  }

  /** How many of the clinic's records hold the tag. */
  countWithTag(clinicId: string, tagId: Types.ObjectId): Promise<number> {
    return this.patients.countDocuments({ clinicId: new Types.ObjectId(clinicId), tags: tagId }).exec();
  }

  /** How many of the clinic's records hold the site. */
  countWithSite(clinicId: string, siteId: Types.ObjectId): Promise<number> {
    return this.patients.countDocuments({ clinicId: new Types.ObjectId(clinicId), 'sites.id': siteId }).exec();
  }

  private async countGroups(clinicIds: Types.ObjectId[], unwind: string, key: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (clinicIds.length === 0) return counts;
    const groups = await this.patients
      .aggregate<GroupCount>([
        { $match: { clinicId: clinicIds.length === 1 ? clinicIds[0] : { $in: clinicIds } } },
        { $unwind: unwind },
        { $group: { _id: key, count: { $sum: 1 } } },
      ])
      .exec();
    for (const group of groups) {
      if (group._id) counts.set(group._id.toString(), group.count);
    }
    return counts;
  }

  private page(filter: Record<string, unknown>, sort: Record<string, 1 | -1>, page: Page): Promise<PatientRecord[]> {
    return findLean(this.patients, filter, { sort, skip: page.offset, limit: page.limit });
  }
}

/**
 * Writes to one clinic's patient records. Only the clinic write gate creates it, bound to the clinic
 * whose writes it holds; every filter carries that clinic's id, and it refuses to write once the gate
 * is released. It keeps the derived keys (`fullNameKey`, `mrnLower`, `mrnKey`) in step with the
 * fields they come from on every write. Writes that replace a value computed from what was read are
 * conditional on the `updatedTime` it was read with (atomic on MongoDB).
 */
export class PatientsWriter extends GatedWriter {
  private readonly clinicHex: string;

  constructor(
    scope: WriteScope,
    private readonly clinicId: Types.ObjectId,
    private readonly patients: Model<PatientRecord>,
  ) {
    super(scope);
    this.clinicHex = clinicId.toHexString();
  }

  /**
   * Throws the driver's duplicate-key error when the user already has a record in the clinic, or the
   * MRN is taken where the clinic requires unique MRNs.
   */
  async insert(patient: NewPatientRecord): Promise<PatientRecord> {
    this.guard();
    const record = this.newRecord(patient, new Date());
    await insertDocument(this.patients, record);
    return record;
  }

  /**
   * Inserts the records in one command; each is inserted or not on its own. One outcome per record,
   * in order: the stored record, or the error it failed with (the driver's duplicate-key error as for
   * {@link insert}, or a validation error). An error that is not about single records is thrown.
   */
  insertMany(patients: NewPatientRecord[]): Promise<Array<BatchOutcome<PatientRecord>>> {
    return PatientsWriter.insertEach(
      patients.map(() => this),
      patients,
    );
  }

  /**
   * As {@link insertMany}, each record into the clinic of the writer at its index (the demo patients
   * of clinics created together).
   */
  static insertEach(
    writers: PatientsWriter[],
    patients: NewPatientRecord[],
  ): Promise<Array<BatchOutcome<PatientRecord>>> {
    const now = new Date();
    return PatientsWriter.insertForEach(
      writers,
      (writer) => writer.patients,
      (writer, index) => writer.newRecord(patients[index], now),
    );
  }

  private newRecord(patient: NewPatientRecord, now: Date): PatientRecord {
    const record: PatientRecord = {
      _id: new Types.ObjectId(),
      clinicId: this.clinicId,
      ...withoutUndefined(patient),
      fullNameKey: fullNameKey(patient.fullName),
      createdTime: now,
      updatedTime: now,
    };
    const lower = mrnLower(patient.mrn);
    if (lower) record.mrnLower = lower;
    const key = mrnKey(this.clinicHex, patient.mrn, patient.requireUniqueMrn);
    if (key) record.mrnKey = key;
    return record;
  }

  /**
   * Sets the given fields (and the keys derived from them) if the record is unchanged since `current`
   * was read. Null when it changed or went away. Throws duplicate-key when a required-unique MRN is taken.
   */
  update(current: PatientRecord, changes: PatientChanges): Promise<PatientRecord | null> {
    const set: Record<string, unknown> = { updatedTime: nextUpdatedTime(current.updatedTime) };
    const unset: Record<string, ''> = {};
    for (const [field, value] of Object.entries(changes)) {
      if (value !== undefined) set[field] = value;
    }
    if (changes.fullName !== undefined) set.fullNameKey = fullNameKey(changes.fullName);
    if (changes.mrn !== undefined || changes.requireUniqueMrn !== undefined) {
      const mrn = changes.mrn !== undefined ? changes.mrn : current.mrn;
      const requireUnique = changes.requireUniqueMrn ?? current.requireUniqueMrn;
      const lower = mrnLower(mrn);
      const key = mrnKey(this.clinicHex, mrn, requireUnique);
      if (lower) set.mrnLower = lower;
      else unset.mrnLower = '';
      if (key) set.mrnKey = key;
      else unset.mrnKey = '';
    }
    return this.updateIfUnchanged(current, { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) });
  }

  /**
   * Replaces the permissions; null when the record changed or went away. Written key by key (set the
   * granted, unset the others): FerretDB 1.24 takes `$set` of a whole sub-document whose values equal
   * the stored ones for no change even when the keys differ (`{view:{}, upload:{}}` → `{view:{}, note:{}}`).
   */
  setPermissions(current: PatientRecord, permissions: PatientPermissionsRecord): Promise<PatientRecord | null> {
    const set: Record<string, unknown> = { updatedTime: nextUpdatedTime(current.updatedTime) };
    const update: Record<string, unknown> = { $set: set };
    if (current.permissions && typeof current.permissions === 'object') {
      const unset: Record<string, ''> = {};
      for (const key of PATIENT_PERMISSIONS) {
        if (permissions[key]) set[`permissions.${key}`] = {};
        else if (current.permissions[key] !== undefined) unset[`permissions.${key}`] = '';
      }
      if (Object.keys(unset).length > 0) update.$unset = unset;
    } else {
      set.permissions = permissions;
    }
    return this.updateIfUnchanged(current, update);
  }

  /** Removes one permission if the record has it; the record afterwards, or null when it had none. */
  async removePermission(userId: string, permission: PatientPermission): Promise<PatientRecord | null> {
    this.guard();
    return this.patients
      .findOneAndUpdate(
        { clinicId: this.clinicId, userId, [`permissions.${permission}`]: { $exists: true } },
        { $unset: { [`permissions.${permission}`]: '' }, $set: { updatedTime: new Date() } },
        { returnDocument: 'after' },
      )
      .lean<PatientRecord>()
      .exec();
  }

  /** Replaces the reviews (newest first); null when the record changed or went away. */
  setReviews(current: PatientRecord, reviews: ReviewRecord[]): Promise<PatientRecord | null> {
    return this.updateIfUnchanged(current, {
      $set: { reviews, updatedTime: nextUpdatedTime(current.updatedTime) },
    });
  }

  /** SendUploadReminder; null when there is no such record. */
  async setLastUploadReminderTime(userId: string, time: Date): Promise<PatientRecord | null> {
    this.guard();
    return this.patients
      .findOneAndUpdate(
        { clinicId: this.clinicId, userId },
        { $set: { lastUploadReminderTime: time, updatedTime: time } },
        { returnDocument: 'after' },
      )
      .lean<PatientRecord>()
      .exec();
  }

  /**
   * Adds the tag to the clinic's records that lack it: all of them, or those of these users. Records
   * whose `tags` is null or missing get an empty list first. How many records changed.
   */
  async addTag(tagId: Types.ObjectId, userIds: string[] | undefined): Promise<number> {
    this.guard();
    const scope = { clinicId: this.clinicId, ...(userIds ? { userId: { $in: userIds } } : {}) };
    await this.patients.updateMany({ ...scope, tags: null }, { $set: { tags: [] } }).exec();
    const result = await this.patients
      .updateMany({ ...scope, tags: { $ne: tagId } }, { $push: { tags: tagId }, $set: { updatedTime: new Date() } })
      .exec();
    return result.modifiedCount;
  }

  /** Removes the tag from the clinic's records holding it: all of them, or those of these users. */
  async removeTag(tagId: Types.ObjectId, userIds?: string[]): Promise<number> {
    this.guard();
    const result = await this.patients
      .updateMany(
        { clinicId: this.clinicId, ...(userIds ? { userId: { $in: userIds } } : {}), tags: tagId },
        { $pull: { tags: tagId }, $set: { updatedTime: new Date() } },
      )
      .exec();
    return result.modifiedCount;
  }

  /** Replaces the tags and/or sites of several records in one round trip. */
  async setLabels(changes: PatientLabelChange[]): Promise<void> {
    this.guard();
    if (changes.length === 0) return;
    const now = new Date();
    await this.patients.bulkWrite(
      changes.map((change) => ({
        updateOne: {
          filter: { clinicId: this.clinicId, userId: change.userId },
          update: {
            $set: {
              ...(change.tags ? { tags: change.tags } : {}),
              ...(change.sites ? { sites: change.sites } : {}),
              updatedTime: now,
            },
          },
        },
      })),
      { ordered: false },
    );
  }

  /**
   * UpdatePatientDataSources for this clinic's record of the user: replaces the data sources (null
   * removes them). The record as it was before, or null when the clinic has no record of the user.
   */
  async setDataSources(userId: string, dataSources: DataSourceRecord[] | null): Promise<PatientRecord | null> {
    this.guard();
    return this.patients
      .findOneAndUpdate(
        { clinicId: this.clinicId, userId },
        { $set: { dataSources, updatedTime: new Date() } },
        { returnDocument: 'before' },
      )
      .lean<PatientRecord>()
      .exec();
  }

  /**
   * ConnectProvider: the new data sources and the provider's connection requests; null when the
   * record changed or went away.
   */
  connectProvider(
    current: PatientRecord,
    dataSources: DataSourceRecord[],
    provider: string,
    requests: ConnectionRequestRecord[],
  ): Promise<PatientRecord | null> {
    const set: Record<string, unknown> = {
      dataSources,
      [`providerConnectionRequests.${provider}`]: requests,
      updatedTime: nextUpdatedTime(current.updatedTime),
    };
    if (!current.providerConnectionRequests || typeof current.providerConnectionRequests !== 'object') {
      delete set[`providerConnectionRequests.${provider}`];
      set.providerConnectionRequests = { [provider]: requests };
    }
    return this.updateIfUnchanged(current, { $set: set });
  }

  /** A migration re-sharing an existing patient: the legacy clinician ids are added once each. */
  async addLegacyClinicianIds(userId: string, ids: string[]): Promise<PatientRecord | null> {
    this.guard();
    return this.patients
      .findOneAndUpdate(
        { clinicId: this.clinicId, userId },
        { $addToSet: { legacyClinicianIds: { $each: ids } }, $set: { updatedTime: new Date() } },
        { returnDocument: 'after' },
      )
      .lean<PatientRecord>()
      .exec();
  }

  /**
   * UpdatePatientSummary for this clinic's record of the user: the given statistics replace their
   * stored counterparts whole, or the whole summary is removed (`summary` undefined). False when the
   * clinic has no record of the user.
   */
  async setSummary(userId: string, summary: PatientSummaryRecord | undefined): Promise<boolean> {
    this.guard();
    const set: Record<string, unknown> = { updatedTime: new Date() };
    const update: Record<string, unknown> = { $set: set };
    if (summary === undefined) update.$unset = { summary: '' };
    else {
      if (summary.cgmStats) set['summary.cgmStats'] = summary.cgmStats;
      if (summary.bgmStats) set['summary.bgmStats'] = summary.bgmStats;
    }
    const result = await this.patients.updateOne({ clinicId: this.clinicId, userId }, update).exec();
    return result.matchedCount > 0;
  }

  /** DeletePatientSummary: removes the statistics with this id from the clinic's records; how many changed. */
  async removeSummary(summaryId: string): Promise<number> {
    this.guard();
    let modified = 0;
    for (const type of ['cgmStats', 'bgmStats'] as const) {
      const result = await this.patients
        .updateMany(
          { clinicId: this.clinicId, [`summary.${type}.id`]: summaryId },
          { $unset: { [`summary.${type}`]: '' }, $set: { updatedTime: new Date() } },
        )
        .exec();
      modified += result.modifiedCount;
    }
    return modified;
  }

  /** UpdateClinicUserDetails: the e-mail of the user's record in this clinic (null clears it); false when there is none. */
  async setEmail(userId: string, email: string | null): Promise<boolean> {
    this.guard();
    const result = await this.patients
      .updateOne({ clinicId: this.clinicId, userId }, { $set: { email, updatedTime: new Date() } })
      .exec();
    return result.matchedCount > 0;
  }

  /** Deletes the given (already archived) records of this clinic; how many were deleted. */
  async deleteByIds(ids: Types.ObjectId[]): Promise<number> {
    this.guard();
    if (ids.length === 0) return 0;
    const result = await this.patients.deleteMany({ clinicId: this.clinicId, _id: { $in: ids } }).exec();
    return result.deletedCount;
  }

  /** False when there is no such record. */
  async delete(userId: string): Promise<boolean> {
    this.guard();
    const result = await this.patients.deleteOne({ clinicId: this.clinicId, userId }).exec();
    return result.deletedCount > 0;
  }

  private updateIfUnchanged(current: PatientRecord, update: Record<string, unknown>): Promise<PatientRecord | null> {
    this.guard();
    return this.patients
      .findOneAndUpdate({ clinicId: this.clinicId, userId: current.userId, updatedTime: current.updatedTime }, update, {
        returnDocument: 'after',
      })
      .lean<PatientRecord>()
      .exec();
  }
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
