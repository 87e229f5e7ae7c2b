import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Types } from 'mongoose';

/** The statuses a migration goes through, as stored and answered (upper-case). */
export enum MigrationStatus {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
}

/**
 * The migration of a legacy clinician account's patients into a clinic (behavior-clinics.md §1.17).
 * At most one per legacy user in total, whatever the clinic: the unique index on `userId` (a field
 * every document has, so it means the same on MongoDB and FerretDB) is the invariant, and the
 * duplicate-key error of a racing insert is answered 409 `migration duplicate`.
 */
@Schema({ collection: 'migrations', versionKey: false })
export class MigrationRecord {
  _id: Types.ObjectId;
  @Prop({ type: Types.ObjectId, required: true }) clinicId: Types.ObjectId;
  @Prop({ type: String, required: true }) userId: string;
  @Prop({ type: String, required: true }) status: string;
  @Prop({ type: Date, required: true }) createdTime: Date;
  @Prop({ type: Date, required: true }) updatedTime: Date;
}

export const MigrationSchema = SchemaFactory.createForClass(MigrationRecord);
// One migration per legacy user across all clinics; also GetMigration and UpdateMigration (userId, then clinicId).
MigrationSchema.index({ userId: 1 }, { unique: true });
// ListMigrations: a clinic's migrations in creation order.
MigrationSchema.index({ clinicId: 1, createdTime: 1, _id: 1 });
