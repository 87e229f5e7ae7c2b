import { Injectable } from '@nestjs/common';
import { UserDirectory } from '../../../auth/directory/user-directory';
import { OBJECT_ID_PATTERN } from '../../../common/validation/patterns';
import { isDuplicateKeyError } from '../../../database/duplicate-key';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate, ClinicWrites } from '../clinic-write-gate';
import type { ClinicRecord } from '../clinics/clinic.schema';
import { ClinicsRepository } from '../clinics/clinics.repository';
import { canMigrate } from '../clinics/dto/clinic-response.dto';
import { CliniciansRepository } from '../clinicians/clinicians.repository';
import { MigrationResponse, toMigrationResponse } from './dto/migration.dto';
import { MigrationErrors } from './migration-errors';
import type { MigrationRecord, MigrationStatus } from './migration.schema';
import { MigrationsRepository } from './migrations.repository';

/** The platform role of users who may run a clinic. */
const CLINIC_USER_ROLE = 'clinic';

/**
 * Migrations of legacy clinician accounts into clinics (behavior-clinics.md §1.17, decisions.md §2).
 *
 * A migration belongs to its clinic: it is written inside that clinic's write gate. The one-per-user
 * rule spans clinics, so it rests on the unique `userId` index, whichever gates the racing requests hold.
 */
@Injectable()
export class MigrationsService {
  constructor(
    private readonly migrations: MigrationsRepository,
    private readonly clinics: ClinicsRepository,
    private readonly clinicians: CliniciansRepository,
    private readonly directory: UserDirectory,
    private readonly gate: ClinicWriteGate,
  ) {}

  /**
   * The clinic's single admin becomes its first migration (PENDING), and the clinic is marked
   * migrated. Checks, in the notes' order: clinic (404), already migrated (422), incomplete profile
   * (422), more than one admin (500: only legacy data can hold an unmigrated clinic with several
   * admins), the admin is a user (404) with the clinic role (422), then the migration (409 when the
   * user already has one). The user directory is read before the gate, and the clinic again inside it.
   *
   * Without transactions, the migration is written first and the clinic marked after: a request
   * interrupted in between leaves the clinic unmigrated with its admin's migration in place, and
   * repeating it finds that migration, marks the clinic and answers it.
   */
  async triggerInitialMigration(clinicId: string): Promise<MigrationResponse> {
    const userId = initialMigrationUser(await this.requireClinic(clinicId));
    const user = await this.directory.getUser(userId);
    if (!user) throw ClinicErrors.notFound();
    if (!user.roles.includes(CLINIC_USER_ROLE)) throw ClinicErrors.notClinician(userId);

    return this.gate.run(clinicId, async (writes) => {
      const clinic = await this.requireClinic(clinicId);
      // The admin cannot change on an unmigrated clinic through this service; only another instance could.
      if (initialMigrationUser(clinic) !== userId) throw ClinicErrors.concurrentModification();
      const existing = await this.migrations.findOfUser(userId);
      if (existing && !existing.clinicId.equals(clinic._id)) throw MigrationErrors.duplicate();
      const migration = existing ?? (await insertMigration(writes, userId));
      await writes.clinic.markMigrated();
      return toMigrationResponse(migration);
    });
  }

  /**
   * A PENDING migration for a clinician of a migrated clinic: 404 clinic, 404 clinician, 422 when
   * the clinic is not migrated, 409 `migration duplicate` when the user already has one anywhere.
   */
  async migrateLegacyClinicianPatients(clinicId: string, userId: string): Promise<MigrationResponse> {
    const clinic = await this.requireClinic(clinicId);
    if (!(await this.clinicians.findMember(clinicId, userId))) throw ClinicErrors.clinicianNotFound();
    if (!clinic.isMigrated) throw ClinicErrors.notMigrated();
    if (await this.migrations.findOfUser(userId)) throw MigrationErrors.duplicate();
    const migration = await this.gate.run(clinicId, (writes) => insertMigration(writes, userId));
    return toMigrationResponse(migration);
  }

  /** The clinic's migrations, oldest first; `[]` when none, 404 when there is no clinic. */
  async listMigrations(clinicId: string): Promise<MigrationResponse[]> {
    await this.requireClinic(clinicId);
    const records = await this.migrations.listOfClinic(clinicId);
    return records.map(toMigrationResponse);
  }

  /** 404 `migration not found`. */
  async getMigration(clinicId: string, userId: string): Promise<MigrationResponse> {
    return toMigrationResponse(await this.requireMigration(clinicId, userId));
  }

  /** Sets the status (again, if it is the same: `updatedTime` still moves). 404 `migration not found`. */
  async updateMigration(clinicId: string, userId: string, status: MigrationStatus): Promise<MigrationResponse> {
    const updated = await this.gate.run(clinicId, async (writes) =>
      writes.migrations.setStatus(await this.requireMigration(clinicId, userId), status),
    );
    if (!updated) throw MigrationErrors.notFound();
    return toMigrationResponse(updated);
  }

  /** 404 `clinic not found`, also for ids that cannot be a clinic's (some migration routes take any string). */
  private async requireClinic(clinicId: string): Promise<ClinicRecord> {
    const clinic = OBJECT_ID_PATTERN.test(clinicId) ? await this.clinics.findById(clinicId) : null;
    if (!clinic) throw ClinicErrors.clinicNotFound();
    return clinic;
  }

  private async requireMigration(clinicId: string, userId: string): Promise<MigrationRecord> {
    const migration = await this.migrations.findInClinic(clinicId, userId);
    if (!migration) throw MigrationErrors.notFound();
    return migration;
  }
}

/** The user whose patients the initial migration moves: the clinic's single admin (see triggerInitialMigration). */
function initialMigrationUser(clinic: ClinicRecord): string {
  if (clinic.isMigrated) throw MigrationErrors.alreadyMigrated();
  if (!canMigrate(clinic)) throw MigrationErrors.incompleteProfile();
  const admins = clinic.admins ?? [];
  if (admins.length !== 1) {
    throw new Error(`clinic ${clinic._id.toHexString()} has ${admins.length} admins; the initial migration needs one`);
  }
  return admins[0];
}

/** 409 `migration duplicate` when a concurrent request (in any clinic) inserted the user's migration first. */
async function insertMigration(writes: ClinicWrites, userId: string): Promise<MigrationRecord> {
  try {
    return await writes.migrations.insert(userId);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw MigrationErrors.duplicate();
    throw error;
  }
}
