import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import type { Page } from '../../../common/validation/pagination.dto';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import { ClinicianRecord, emailKey, inviteKey, memberKey, RolesUpdate } from './clinician.schema';
import type { QueryShape } from '../clinics/clinics.repository';
import { insertDocument } from '../../../database/insert-document';
import type { BatchOutcome } from '../../../database/group-commit';
import { findLean } from '../../../database/lean-reads';

export interface NewClinician {
  clinicId: string;
  userId?: string;
  inviteId?: string;
  email?: string;
  name?: string | null;
  roles: string[];
  isServiceAccount?: boolean;
}

export interface ClinicianListFilters {
  /** Case-insensitive substring of the name or the e-mail. */
  search?: string;
  /** Exact, after lower-casing. */
  email?: string;
  role?: string;
}

export interface CreatedTimeRange {
  start?: Date;
  end?: Date;
}

const NEWEST_FIRST = { createdTime: -1, _id: -1 } as const;

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** ListClinicians: the filter and order. Exported for the index test. */
export function clinicianListQuery(clinicId: string, filters: ClinicianListFilters): QueryShape {
  const filter: Record<string, unknown> = { clinicId: new Types.ObjectId(clinicId) };
  if (filters.email !== undefined) filter.emailKey = emailKey(clinicId, filters.email);
  if (filters.role !== undefined) filter.roles = filters.role;
  if (filters.search) {
    const pattern = escapeRegex(filters.search.toLowerCase());
    filter.$or = [{ nameKey: { $regex: pattern } }, { email: { $regex: pattern } }];
  }
  return { filter, sort: { ...NEWEST_FIRST } };
}

/** ListClinicsForClinician: the user's clinician records (invites have no userId). */
export function clinicianRecordsOfUserQuery(userId: string): QueryShape {
  return { filter: { userId }, sort: { ...NEWEST_FIRST } };
}

/** ListAllClinicians: start inclusive, end exclusive. */
export function allCliniciansQuery(range: CreatedTimeRange): QueryShape {
  const filter: Record<string, unknown> = {};
  if (range.start || range.end) {
    filter.createdTime = { ...(range.start ? { $gte: range.start } : {}), ...(range.end ? { $lt: range.end } : {}) };
  }
  return { filter, sort: { ...NEWEST_FIRST } };
}

/** The next version of a record: its updatedTime, strictly increasing even within one millisecond. */
export function nextUpdatedTime(previous: Date): Date {
  return new Date(Math.max(Date.now(), previous.getTime() + 1));
}

/**
 * Reads of the `clinicians` collection. Every write ({@link CliniciansWriter}) keeps the unique key
 * fields (`memberKey`, `inviteKey`, `emailKey`) present exactly when `userId`/`inviteId`/`email` are.
 */
@Injectable()
export class CliniciansRepository {
  constructor(@InjectModel(ClinicianRecord.name) private readonly clinicians: Model<ClinicianRecord>) {}

  findMember(clinicId: string, userId: string): Promise<ClinicianRecord | null> {
    return this.clinicians
      .findOne({ memberKey: memberKey(clinicId, userId) })
      .lean<ClinicianRecord>()
      .exec();
  }

  findInvite(clinicId: string, inviteId: string): Promise<ClinicianRecord | null> {
    return this.clinicians
      .findOne({ inviteKey: inviteKey(clinicId, inviteId) })
      .lean<ClinicianRecord>()
      .exec();
  }

  /**
   * Any record of the clinic with the same user, invite or e-mail: one equality look-up per key, each
   * on its own unique index (an `$or` of them would not be served by an index on the embedded engine).
   */
  async hasDuplicate(clinicId: string, keys: { userId?: string; inviteId?: string; email?: string }): Promise<boolean> {
    const lookups: Record<string, string>[] = [];
    if (keys.userId) lookups.push({ memberKey: memberKey(clinicId, keys.userId) });
    if (keys.inviteId) lookups.push({ inviteKey: inviteKey(clinicId, keys.inviteId) });
    if (keys.email) lookups.push({ emailKey: emailKey(clinicId, keys.email) });
    const found = await Promise.all(lookups.map((filter) => this.clinicians.findOne(filter, { _id: 1 }).lean().exec()));
    return found.some((record) => record !== null);
  }

  list(clinicId: string, filters: ClinicianListFilters, page: Page): Promise<ClinicianRecord[]> {
    const { filter, sort } = clinicianListQuery(clinicId, filters);
    return this.page(filter, sort, page);
  }

  listOfUser(userId: string, page: Page): Promise<ClinicianRecord[]> {
    const { filter, sort } = clinicianRecordsOfUserQuery(userId);
    return this.page(filter, sort, page);
  }

  listAll(range: CreatedTimeRange, page: Page): Promise<ClinicianRecord[]> {
    const { filter, sort } = allCliniciansQuery(range);
    return this.page(filter, sort, page);
  }

  /** A batch of a clinic's records, invites included (DeleteClinic). */
  listBatchOfClinic(clinicId: string, page: Page): Promise<ClinicianRecord[]> {
    const { filter, sort } = clinicianListQuery(clinicId, {});
    return this.page(filter, sort, page);
  }

  private page(filter: Record<string, unknown>, sort: Record<string, 1 | -1>, page: Page): Promise<ClinicianRecord[]> {
    return findLean(this.clinicians, filter, { sort, skip: page.offset, limit: page.limit });
  }
}

/**
 * Writes to one clinic's clinician records. Only the clinic write gate creates it, bound to the
 * clinic whose writes it holds; every filter carries that clinic's id, and it refuses to write once
 * the gate is released. Updates of an existing record are conditional on the `updatedTime` it was
 * read with (optimistic concurrency, atomic on MongoDB).
 */
export class CliniciansWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly clinicId: Types.ObjectId,
    private readonly clinicians: Model<ClinicianRecord>,
  ) {
    super(scope);
  }

  /** Throws the driver's duplicate-key error when the user, invite or e-mail already has a record in the clinic. */
  async insert(clinician: Omit<NewClinician, 'clinicId'>): Promise<ClinicianRecord> {
    this.guard();
    const record = this.newRecord(clinician, new Date());
    await insertDocument(this.clinicians, record);
    return record;
  }

  /**
   * One record into the clinic of each writer (one insert command): the first admins of clinics
   * created together. An outcome per record, in order.
   */
  static insertEach(
    writers: CliniciansWriter[],
    clinicians: Array<Omit<NewClinician, 'clinicId'>>,
  ): Promise<Array<BatchOutcome<ClinicianRecord>>> {
    const now = new Date();
    return CliniciansWriter.insertForEach(
      writers,
      (writer) => writer.clinicians,
      (writer, index) => writer.newRecord(clinicians[index], now),
    );
  }

  private newRecord(clinician: Omit<NewClinician, 'clinicId'>, now: Date): ClinicianRecord {
    const clinicId = this.clinicId.toHexString();
    const email = clinician.email?.toLowerCase();
    return {
      _id: new Types.ObjectId(),
      clinicId: this.clinicId,
      ...(clinician.userId ? { userId: clinician.userId } : {}),
      ...(clinician.inviteId ? { inviteId: clinician.inviteId } : {}),
      ...(email ? { email } : {}),
      name: clinician.name ?? null,
      ...(clinician.name ? { nameKey: clinician.name.toLowerCase() } : {}),
      roles: clinician.roles,
      ...(clinician.isServiceAccount ? { isServiceAccount: true } : {}),
      createdTime: now,
      updatedTime: now,
      ...keysOf(clinicId, clinician.userId, clinician.inviteId, email),
    };
  }

  /**
   * UpdateClinician: name and roles, plus the roles audit entry when the roles change. Null when the
   * record changed (or went away) since it was read.
   */
  updateMember(
    current: ClinicianRecord,
    changes: { name: string | null; roles: string[]; rolesUpdate?: RolesUpdate },
  ): Promise<ClinicianRecord | null> {
    const set: Record<string, unknown> = {
      name: changes.name,
      roles: changes.roles,
      updatedTime: nextUpdatedTime(current.updatedTime),
    };
    const update: Record<string, unknown> = { $set: set };
    if (changes.name) set.nameKey = changes.name.toLowerCase();
    else update.$unset = { nameKey: '' };
    if (changes.rolesUpdate) update.$push = { rolesUpdates: changes.rolesUpdate };
    return this.updateIfUnchanged(current, update);
  }

  /** AssociateClinicianToUser: the invite becomes the user's membership. Null when the record changed since it was read. */
  associateInvite(current: ClinicianRecord, userId: string, name: string | null): Promise<ClinicianRecord | null> {
    const set: Record<string, unknown> = {
      userId,
      memberKey: memberKey(this.clinicId.toHexString(), userId),
      name,
      updatedTime: nextUpdatedTime(current.updatedTime),
    };
    const unset: Record<string, string> = { inviteId: '', inviteKey: '' };
    if (name) set.nameKey = name.toLowerCase();
    else unset.nameKey = '';
    return this.updateIfUnchanged(current, { $set: set, $unset: unset });
  }

  /**
   * UpdateClinicUserDetails: the member's e-mail (lower-cased, like every stored clinician e-mail).
   * Null when the record changed (or went away) since it was read; throws the driver's duplicate-key
   * error when another record of the clinic has the e-mail.
   */
  setEmail(current: ClinicianRecord, email: string): Promise<ClinicianRecord | null> {
    const lower = email.toLowerCase();
    return this.updateIfUnchanged(current, {
      $set: {
        email: lower,
        emailKey: emailKey(this.clinicId.toHexString(), lower),
        updatedTime: nextUpdatedTime(current.updatedTime),
      },
    });
  }

  /** False when the record changed (or went away) since it was read. */
  async deleteIfUnchanged(current: ClinicianRecord): Promise<boolean> {
    this.guard();
    const result = await this.clinicians
      .deleteOne({ _id: current._id, clinicId: this.clinicId, updatedTime: current.updatedTime })
      .exec();
    return result.deletedCount > 0;
  }

  async deleteInvite(inviteId: string): Promise<boolean> {
    this.guard();
    const result = await this.clinicians
      .deleteOne({ inviteKey: inviteKey(this.clinicId.toHexString(), inviteId) })
      .exec();
    return result.deletedCount > 0;
  }

  /** DeleteClinic: the given (already archived) records of the clinic. */
  async deleteMany(ids: Types.ObjectId[]): Promise<number> {
    this.guard();
    if (ids.length === 0) return 0;
    const result = await this.clinicians.deleteMany({ clinicId: this.clinicId, _id: { $in: ids } }).exec();
    return result.deletedCount;
  }

  private updateIfUnchanged(
    current: ClinicianRecord,
    update: Record<string, unknown>,
  ): Promise<ClinicianRecord | null> {
    this.guard();
    return this.clinicians
      .findOneAndUpdate({ _id: current._id, clinicId: this.clinicId, updatedTime: current.updatedTime }, update, {
        returnDocument: 'after',
      })
      .lean<ClinicianRecord>()
      .exec();
  }
}

function keysOf(
  clinicId: string,
  userId?: string,
  invite?: string,
  email?: string,
): Pick<ClinicianRecord, 'memberKey' | 'inviteKey' | 'emailKey'> {
  return {
    ...(userId ? { memberKey: memberKey(clinicId, userId) } : {}),
    ...(invite ? { inviteKey: inviteKey(clinicId, invite) } : {}),
    ...(email ? { emailKey: emailKey(clinicId, email) } : {}),
  };
}
