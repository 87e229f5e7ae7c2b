import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import type { QueryShape } from '../clinics/clinics.repository';
import { nextUpdatedTime } from '../clinicians/clinicians.repository';
import { MigrationRecord, MigrationStatus } from './migration.schema';
import { insertDocument } from '../../../database/insert-document';

/** ListMigrations: the clinic's migrations, oldest first. Exported for tests. */
export function clinicMigrationsQuery(clinicId: string): QueryShape {
  return { filter: { clinicId: new Types.ObjectId(clinicId) }, sort: { createdTime: 1, _id: 1 } };
}

/** Reads of the `migrations` collection; writes go through {@link MigrationsWriter}, inside the clinic write gate. */
@Injectable()
export class MigrationsRepository {
  constructor(@InjectModel(MigrationRecord.name) private readonly migrations: Model<MigrationRecord>) {}

  /** The user's migration, in whichever clinic it is. */
  findOfUser(userId: string): Promise<MigrationRecord | null> {
    return this.migrations.findOne({ userId }).lean<MigrationRecord>().exec();
  }

  /** The user's migration if it belongs to this clinic (the unique `userId` index leads). */
  findInClinic(clinicId: string, userId: string): Promise<MigrationRecord | null> {
    return this.migrations
      .findOne({ userId, clinicId: new Types.ObjectId(clinicId) })
      .lean<MigrationRecord>()
      .exec();
  }

  /**
   * Every migration of the clinic. Not paged (the contract gives ListMigrations no paging): a clinic
   * has at most one migration per clinician it had when the migration was made.
   */
  listOfClinic(clinicId: string): Promise<MigrationRecord[]> {
    const { filter, sort } = clinicMigrationsQuery(clinicId);
    return this.migrations.find(filter).sort(sort).lean<MigrationRecord[]>().exec();
  }
}

/**
 * Writes to one clinic's migrations. Only the clinic write gate creates it, bound to the clinic whose
 * writes it holds; every filter carries that clinic's id, and it refuses to write once the gate is released.
 */
export class MigrationsWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly clinicId: Types.ObjectId,
    private readonly migrations: Model<MigrationRecord>,
  ) {
    super(scope);
  }

  /** A PENDING migration of the user into this clinic; throws the driver's duplicate-key error when the user has one. */
  async insert(userId: string): Promise<MigrationRecord> {
    this.guard();
    const now = new Date();
    const record: MigrationRecord = {
      _id: new Types.ObjectId(),
      clinicId: this.clinicId,
      userId,
      status: MigrationStatus.PENDING,
      createdTime: now,
      updatedTime: now,
    };
    await insertDocument(this.migrations, record);
    return record;
  }

  /**
   * Sets the status; `updatedTime` moves forward even when the status is the same. Null when the
   * clinic has no migration of this user.
   */
  async setStatus(current: MigrationRecord, status: MigrationStatus): Promise<MigrationRecord | null> {
    this.guard();
    return this.migrations
      .findOneAndUpdate(
        { userId: current.userId, clinicId: this.clinicId },
        { $set: { status, updatedTime: nextUpdatedTime(current.updatedTime) } },
        { returnDocument: 'after' },
      )
      .lean<MigrationRecord>()
      .exec();
  }
}
