import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import type { ClinicRecord, PatientTagRecord, SiteRecord } from '../clinics/clinic.schema';
import type { QueryShape } from '../clinics/clinics.repository';
import { ShareCodeRecord } from '../clinics/share-code.schema';
import { ClinicianRecord, emailKey, inviteKey, memberKey } from '../clinicians/clinician.schema';
import { nextUpdatedTime } from '../clinicians/clinicians.repository';
import { mrnKey, PatientRecord, PatientSiteRecord } from '../patients/patient.schema';
import { MERGE_HEADER_TYPE, MergePlanRecord, MergeStatus, MergeStep } from './merge-plan.schema';
import type { PlanClinician, PlanPatient } from './merge-planner';
import { insertDocument } from '../../../database/insert-document';

/** The fields of a patient record planning and merging read (no summaries but the upload dates). */
const PLAN_PATIENT_FIELDS = {
  userId: 1,
  fullName: 1,
  fullNameKey: 1,
  birthDate: 1,
  mrn: 1,
  tags: 1,
  sites: 1,
  permissions: 1,
  requireUniqueMrn: 1,
  updatedTime: 1,
  'summary.cgmStats.dates.lastUploadDate': 1,
  'summary.bgmStats.dates.lastUploadDate': 1,
} as const;

export type MergePatient = PlanPatient & Pick<PatientRecord, 'fullNameKey' | 'requireUniqueMrn' | 'updatedTime'>;

/** Keyset position in a clinic's patients ordered by (fullNameKey, _id). */
export interface PatientCursor {
  fullNameKey: string;
  _id: Types.ObjectId;
}

/** Keyset position in a clinic's clinicians ordered newest first by (createdTime, _id). */
export interface ClinicianCursor {
  createdTime: Date;
  _id: Types.ObjectId;
}

/** Merge planning and the patients step: a page of a clinic's patients after a keyset position. Exported for the index test. */
export function mergePatientsPageQuery(clinicId: Types.ObjectId, cursor?: PatientCursor): QueryShape {
  const filter: Record<string, unknown> = { clinicId };
  if (cursor) {
    filter.$or = [
      { fullNameKey: { $gt: cursor.fullNameKey } },
      { fullNameKey: cursor.fullNameKey, _id: { $gt: cursor._id } },
    ];
  }
  return { filter, sort: { fullNameKey: 1, _id: 1 } };
}

/**
 * Merge planning and the clinicians step: a page of a clinic's clinicians after a keyset position,
 * in the order of the `{clinicId, createdTime: -1, _id: -1}` index. Exported for the index test.
 */
export function mergeCliniciansPageQuery(clinicId: Types.ObjectId, cursor?: ClinicianCursor): QueryShape {
  const filter: Record<string, unknown> = { clinicId };
  if (cursor) {
    filter.$or = [
      { createdTime: { $lt: cursor.createdTime } },
      { createdTime: cursor.createdTime, _id: { $lt: cursor._id } },
    ];
  }
  return { filter, sort: { createdTime: -1, _id: -1 } };
}

/** Reads for clinic merges: patients and clinicians in pages, and the `merge_plans` journal. */
@Injectable()
export class MergesRepository {
  constructor(
    @InjectModel(PatientRecord.name) private readonly patients: Model<PatientRecord>,
    @InjectModel(ClinicianRecord.name) private readonly clinicians: Model<ClinicianRecord>,
    @InjectModel(MergePlanRecord.name) private readonly plans: Model<MergePlanRecord>,
  ) {}

  /**
   * A page of the clinic's patients after `cursor`, in (fullNameKey, _id) order: a range on the
   * `{clinicId, fullNameKey, _id}` index, so each page costs its own size whatever the offset.
   */
  patientsPage(clinicId: Types.ObjectId, cursor: PatientCursor | undefined, limit: number): Promise<MergePatient[]> {
    const { filter, sort } = mergePatientsPageQuery(clinicId, cursor);
    return this.patients.find(filter, PLAN_PATIENT_FIELDS).sort(sort).limit(limit).lean<MergePatient[]>().exec();
  }

  /** The clinic's records of these users (at most one each). */
  patientsOfUsers(clinicId: Types.ObjectId, userIds: string[]): Promise<MergePatient[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return this.patients
      .find({ clinicId, userId: { $in: userIds } }, PLAN_PATIENT_FIELDS)
      .lean<MergePatient[]>()
      .exec();
  }

  /** The clinic's patients holding the site (the `{clinicId, sites.id}` index). */
  patientsWithSite(clinicId: Types.ObjectId, siteId: Types.ObjectId): Promise<MergePatient[]> {
    return this.patients.find({ clinicId, 'sites.id': siteId }, PLAN_PATIENT_FIELDS).lean<MergePatient[]>().exec();
  }

  /** A page of the clinic's clinician records after `cursor`, invites included, newest first. */
  cliniciansPage(
    clinicId: Types.ObjectId,
    cursor: ClinicianCursor | undefined,
    limit: number,
  ): Promise<Array<PlanClinician & ClinicianCursor>> {
    const { filter, sort } = mergeCliniciansPageQuery(clinicId, cursor);
    return this.clinicians
      .find(filter, { userId: 1, inviteId: 1, email: 1, name: 1, roles: 1, createdTime: 1 })
      .sort(sort)
      .limit(limit)
      .lean<Array<PlanClinician & ClinicianCursor>>()
      .exec();
  }

  /** The clinic's member records of these users (the unique `memberKey` index). */
  membersOfUsers(clinicId: Types.ObjectId, userIds: string[]): Promise<PlanClinician[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    const clinicHex = clinicId.toHexString();
    return this.clinicians
      .find(
        { memberKey: { $in: userIds.map((userId) => memberKey(clinicHex, userId)) } },
        { userId: 1, inviteId: 1, email: 1, name: 1, roles: 1 },
      )
      .lean<PlanClinician[]>()
      .exec();
  }

  /** The running merge of this source clinic, if any. */
  findRunning(sourceId: string): Promise<MergePlanRecord | null> {
    return this.plans.findOne({ activeSourceId: sourceId }).lean<MergePlanRecord>().exec();
  }

  /** Every running merge (interrupted ones, at start-up). */
  listRunning(): Promise<MergePlanRecord[]> {
    return this.plans
      .find({ activeSourceId: { $exists: true } })
      .lean<MergePlanRecord[]>()
      .exec();
  }

  /** The merge's records (header and steps). */
  listOfPlan(planId: string): Promise<MergePlanRecord[]> {
    return this.plans.find({ planId }).lean<MergePlanRecord[]>().exec();
  }
}

export interface MergeHeader {
  planId: string;
  sourceId: string;
  targetId: string;
  startedBy?: string;
}

/**
 * The writes of a clinic merge into the gate's clinic (the target), and the merge journal. Only the
 * clinic write gate creates it; the merge holds both clinics' gates (ascending ids) while it writes.
 * Every write is conditional on what it changes not being done yet, so each step can be repeated.
 */
export class MergeWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly clinicId: Types.ObjectId,
    private readonly clinics: Model<ClinicRecord>,
    private readonly shareCodes: Model<ShareCodeRecord>,
    private readonly patients: Model<PatientRecord>,
    private readonly clinicians: Model<ClinicianRecord>,
    private readonly plans: Model<MergePlanRecord>,
  ) {
    super(scope);
  }

  /** Records a new running merge; throws the driver's duplicate-key error when the source already has one. */
  async startMerge(header: MergeHeader): Promise<MergePlanRecord> {
    this.guard();
    const record: MergePlanRecord = {
      _id: header.planId,
      planId: header.planId,
      type: MERGE_HEADER_TYPE,
      sourceId: header.sourceId,
      targetId: header.targetId,
      activeSourceId: header.sourceId,
      step: MergeStep.Tags,
      status: MergeStatus.Running,
      ...(header.startedBy ? { startedBy: header.startedBy } : {}),
      createdTime: new Date(),
      updatedTime: new Date(),
    };
    await insertDocument(this.plans, record);
    return record;
  }

  /** Keeps the first record of a step's plan (a resumed step does not overwrite it). */
  async recordStep(planId: string, type: MergeStep, plan: unknown): Promise<void> {
    this.guard();
    await this.plans
      .updateOne(
        { _id: `${planId}:${type}` },
        { $setOnInsert: { planId, type, plan, createdTime: new Date() } },
        { upsert: true },
      )
      .exec();
  }

  async setStep(planId: string, step: MergeStep): Promise<void> {
    this.guard();
    await this.plans.updateOne({ _id: planId }, { $set: { step, updatedTime: new Date() } }).exec();
  }

  /** The merge is done: it no longer holds its source's running slot. */
  async completeMerge(planId: string): Promise<void> {
    this.guard();
    await this.plans
      .updateOne(
        { _id: planId },
        { $set: { status: MergeStatus.Completed, updatedTime: new Date() }, $unset: { activeSourceId: '' } },
      )
      .exec();
  }

  /**
   * Adds a tag unless the clinic already has one of that exact name. The condition holds on MongoDB;
   * on FerretDB 1.24 the caller checks first (under the gate).
   */
  async addTag(tag: PatientTagRecord): Promise<void> {
    this.guard();
    await this.clinics
      .updateOne(
        { _id: this.clinicId, 'patientTags.name': { $ne: tag.name } },
        { $push: { patientTags: tag }, $set: { updatedTime: new Date() } },
      )
      .exec();
  }

  /**
   * Adds a site (with its id) unless the clinic already has that id; the site limit does not apply.
   * The condition holds on MongoDB; on FerretDB 1.24 the caller checks first (under the gate).
   */
  async addSite(site: SiteRecord): Promise<void> {
    this.guard();
    await this.clinics
      .updateOne(
        { _id: this.clinicId, 'sites.id': { $ne: site.id } },
        { $push: { sites: site }, $set: { updatedTime: new Date() } },
      )
      .exec();
  }

  /** Points every share code registered to `fromClinicId` at this clinic. */
  async takeOverShareCodes(fromClinicId: Types.ObjectId): Promise<void> {
    this.guard();
    await this.shareCodes.updateMany({ clinicId: fromClinicId }, { $set: { clinicId: this.clinicId } }).exec();
  }

  /** Appends codes to the clinic's `shareCodes` (the canonical code stays). */
  async addShareCodes(codes: string[]): Promise<void> {
    this.guard();
    if (codes.length === 0) return;
    await this.clinics
      .updateOne(
        { _id: this.clinicId },
        { $addToSet: { shareCodes: { $each: codes } }, $set: { updatedTime: new Date() } },
      )
      .exec();
  }

  /**
   * Moves a patient record of `fromClinicId` into this clinic with its new tags and MRN rule, only
   * while it is still in `fromClinicId`. Throws the driver's duplicate-key error on a unique clash.
   */
  async moveInPatient(
    fromClinicId: Types.ObjectId,
    patient: Pick<PatientRecord, '_id' | 'mrn' | 'updatedTime'>,
    tags: Types.ObjectId[],
    requireUniqueMrn: boolean,
  ): Promise<void> {
    this.guard();
    const key = mrnKey(this.clinicId.toHexString(), patient.mrn, requireUniqueMrn);
    await this.patients
      .updateOne(
        { _id: patient._id, clinicId: fromClinicId },
        {
          $set: {
            clinicId: this.clinicId,
            tags,
            requireUniqueMrn,
            updatedTime: nextUpdatedTime(patient.updatedTime),
            ...(key ? { mrnKey: key } : {}),
          },
          ...(key ? {} : { $unset: { mrnKey: '' } }),
        },
      )
      .exec();
  }

  /** Sets tags and sites of one of this clinic's patient records (a merged-into patient, a site rename). */
  async setPatientTagsAndSites(
    patientId: Types.ObjectId,
    changes: { tags?: Types.ObjectId[]; sites?: PatientSiteRecord[] },
  ): Promise<void> {
    this.guard();
    const set: Record<string, unknown> = { updatedTime: new Date() };
    if (changes.tags) set.tags = changes.tags;
    if (changes.sites) set.sites = changes.sites;
    await this.patients.updateOne({ _id: patientId, clinicId: this.clinicId }, { $set: set }).exec();
  }

  /**
   * Moves a clinician record of `fromClinicId` into this clinic (roles kept), only while it is still
   * there, rewriting its clinic-scoped keys. Throws the driver's duplicate-key error on a clash.
   */
  async moveInClinician(fromClinicId: Types.ObjectId, clinician: PlanClinician): Promise<void> {
    this.guard();
    const clinicHex = this.clinicId.toHexString();
    const set: Record<string, unknown> = { clinicId: this.clinicId, updatedTime: new Date() };
    if (clinician.userId) set.memberKey = memberKey(clinicHex, clinician.userId);
    if (clinician.inviteId) set.inviteKey = inviteKey(clinicHex, clinician.inviteId);
    if (clinician.email) set.emailKey = emailKey(clinicHex, clinician.email);
    await this.clinicians.updateOne({ _id: clinician._id, clinicId: fromClinicId }, { $set: set }).exec();
  }
}
