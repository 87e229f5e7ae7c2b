import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../auth/principal';
import { UserDirectory } from '../../../auth/directory/user-directory';
import { isDuplicateKeyError } from '../../../database/duplicate-key';
import type { Page } from '../../../common/validation/pagination.dto';
import { ClinicianRole } from '../clinic.constants';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate, ClinicWrites } from '../clinic-write-gate';
import { ClinicsService } from '../clinics/clinics.service';
import { ClinicianClinicRelationship, ClinicianResponse, toClinicianResponse } from './dto/clinician-response.dto';
import { ClinicsRepository } from '../clinics/clinics.repository';
import { ClinicianListFilters, CliniciansRepository, NewClinician } from './clinicians.repository';
import { parseQueryTime, uniqueObjectIds } from '../query-values';
import type { ClinicRecord } from '../clinics/clinic.schema';
import { emailKey, type ClinicianRecord } from './clinician.schema';

/** A user's clinician records are read this many at a time (DeleteUserFromClinics, UpdateClinicUserDetails). */
const USER_RECORDS_BATCH = 100;
/** Conditional writes re-read and retry this many times before answering 409 (another instance kept changing the record). */
const WRITE_ATTEMPTS = 3;

export interface NewClinicianInput {
  email: string;
  roles: string[];
  inviteId?: string;
  userId?: string;
  name?: string;
}

export interface ClinicianUpdateInput {
  name?: string;
  roles: string[];
}

export interface ServiceAccountInput {
  name: string;
  client_id: string;
  client_secret: string;
}

export interface ListAllCliniciansInput extends Page {
  createdTimeStart?: string;
  createdTimeEnd?: string;
}

/**
 * Clinicians and invited clinicians of a clinic, and the admin invariant.
 *
 * The clinic's `admins` array lists the user ids of its clinicians holding CLINIC_ADMIN and always has
 * at least one entry. Every write to a clinic's clinician records runs inside the clinic's write gate
 * (ClinicWriteGate), so the steps below never interleave with another request's for the same clinic; they
 * are also each a conditional single-document update, atomic on MongoDB by itself. The order makes a
 * crash between two steps harmless for the invariant — `admins` may lack a user, never all of them:
 * - Promotion (create, associate or update with CLINIC_ADMIN): write the clinician record, then
 *   `$addToSet` the user into `admins`.
 * - Demotion or deletion of an admin: first `$pull` the user from `admins` with a filter requiring the
 *   user and another entry (`admins.1` exists) — no match means the last admin → 422, nothing
 *   changed; only then write (or archive and delete) the record, conditionally on the version it was
 *   read with; if that write fails or finds the record changed, re-add the user when the record still
 *   says CLINIC_ADMIN (compensation).
 * - A demotion of an admin whose user is not listed (what a crash between the two steps leaves)
 *   proceeds without the `$pull`, which repairs the state.
 */
@Injectable()
export class CliniciansService {
  constructor(
    private readonly clinicians: CliniciansRepository,
    private readonly clinics: ClinicsRepository,
    private readonly clinicsService: ClinicsService,
    private readonly directory: UserDirectory,
    private readonly gate: ClinicWriteGate,
  ) {}

  /**
   * Members and pending invites, newest first. 404 when there is no clinic — not checked again when
   * the caller's own membership already proved the clinic exists.
   */
  async listClinicians(
    clinicId: string,
    filters: ClinicianListFilters,
    page: Page,
    options: { clinicKnownToExist?: boolean } = {},
  ): Promise<ClinicianResponse[]> {
    if (!options.clinicKnownToExist) await this.clinicsService.requireClinic(clinicId);
    const records = await this.clinicians.list(clinicId, filters, page);
    return records.map(toClinicianResponse);
  }

  /** 404 `clinician not found`. */
  async getClinician(clinicId: string, userId: string): Promise<ClinicianResponse> {
    return toClinicianResponse(await this.requireMember(clinicId, userId));
  }

  /** A member (with `userId`) or an invite (with `inviteId`); 404 clinic, 422 not migrated, 409 duplicate. */
  createClinician(clinicId: string, input: NewClinicianInput): Promise<ClinicianResponse> {
    return this.gate.run(clinicId, async (writes) => {
      await this.requireMigratedClinic(clinicId);
      return this.insert(clinicId, writes, {
        userId: input.userId,
        inviteId: input.inviteId,
        email: input.email,
        name: input.name,
        roles: input.roles,
      });
    });
  }

  /**
   * Only `name` and `roles` change (an omitted name clears it); a change of roles is recorded in
   * `rolesUpdates` with the caller. Demoting the last admin → 422, nothing changed.
   */
  async updateClinician(
    principal: Principal,
    clinicId: string,
    userId: string,
    input: ClinicianUpdateInput,
  ): Promise<ClinicianResponse> {
    if (!principal.subjectId) throw ClinicErrors.expectedUser();
    return this.gate.run(clinicId, (writes) => this.updateInGate(writes, principal.subjectId, clinicId, userId, input));
  }

  private async updateInGate(
    writes: ClinicWrites,
    updatedBy: string,
    clinicId: string,
    userId: string,
    input: ClinicianUpdateInput,
  ): Promise<ClinicianResponse> {
    await this.requireMigratedClinic(clinicId);
    const current = await this.requireMember(clinicId, userId);
    const demotion = isAdmin(current.roles) && !isAdmin(input.roles);
    if (demotion) await this.releaseAdmin(writes, clinicId, userId);

    let updated: ClinicianRecord | null;
    try {
      updated = await writes.clinicians.updateMember(current, {
        name: input.name ?? null,
        roles: input.roles,
        ...(sameRoles(current.roles, input.roles) ? {} : { rolesUpdate: { roles: input.roles, updatedBy } }),
      });
    } catch (error) {
      if (demotion) await this.restoreAdminIfStillAdmin(writes, clinicId, userId);
      throw error;
    }
    if (!updated) {
      if (demotion) await this.restoreAdminIfStillAdmin(writes, clinicId, userId);
      throw ClinicErrors.clinicianNotFound();
    }
    if (isAdmin(updated.roles)) await writes.clinic.addAdmin(userId);
    return toClinicianResponse(updated);
  }

  /** Archives, then deletes. Deleting the last admin → 422, nothing changed. */
  deleteClinician(principal: Principal, clinicId: string, userId: string): Promise<void> {
    const deletedBy = principal.isServer ? undefined : principal.subjectId;
    return this.gate.run(clinicId, (writes) => this.deleteInGate(writes, clinicId, userId, deletedBy));
  }

  private async deleteInGate(
    writes: ClinicWrites,
    clinicId: string,
    userId: string,
    deletedBy: string | undefined,
  ): Promise<void> {
    await this.requireMigratedClinic(clinicId);
    const current = await this.requireMember(clinicId, userId);
    const wasAdmin = isAdmin(current.roles);
    if (wasAdmin) await this.releaseAdmin(writes, clinicId, userId);

    let deleted: boolean;
    try {
      // An archive written for a deletion that then loses a race stays; it is rewritten (same key)
      // when the record is finally deleted.
      await writes.deletions.archiveClinicians([current], deletedBy);
      deleted = await writes.clinicians.deleteIfUnchanged(current);
    } catch (error) {
      if (wasAdmin) await this.restoreAdminIfStillAdmin(writes, clinicId, userId);
      throw error;
    }
    if (!deleted) {
      if (wasAdmin) await this.restoreAdminIfStillAdmin(writes, clinicId, userId);
      throw ClinicErrors.clinicianNotFound();
    }
  }

  /**
   * DeleteUserFromClinics, clinician part: each of the user's clinician records, one clinic's gate at a
   * time, is archived, the user taken out of `admins` (even when that leaves the clinic without an
   * admin, as the contract describes) and the record deleted. When it is the clinic's last clinician
   * record (pending invites count), `beforeLastRecord` runs first, inside the same gate — so an
   * interrupted run still finds the record on repeat and redoes that step before deleting it.
   */
  async deleteUserClinicians(
    userId: string,
    deletedBy: string | undefined,
    beforeLastRecord: (writes: ClinicWrites, clinicId: string) => Promise<void>,
  ): Promise<void> {
    const visited = new Set<string>();
    for (;;) {
      const records = await this.clinicians.listOfUser(userId, { offset: 0, limit: USER_RECORDS_BATCH });
      if (records.length === 0) return;
      for (const record of records) {
        // Deleted records drop out of the next batch; one that comes back could not be deleted.
        if (visited.has(record._id.toHexString())) {
          throw new Error(`clinician record ${record._id.toHexString()} of user ${userId} could not be deleted`);
        }
        visited.add(record._id.toHexString());
        const clinicId = record.clinicId.toHexString();
        await this.gate.run(clinicId, (writes) =>
          this.deleteUserRecordInGate(writes, clinicId, userId, deletedBy, beforeLastRecord),
        );
      }
    }
  }

  private async deleteUserRecordInGate(
    writes: ClinicWrites,
    clinicId: string,
    userId: string,
    deletedBy: string | undefined,
    beforeLastRecord: (writes: ClinicWrites, clinicId: string) => Promise<void>,
  ): Promise<void> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.clinicians.findMember(clinicId, userId);
      if (!current) return;
      const firstTwo = await this.clinicians.listBatchOfClinic(clinicId, { offset: 0, limit: 2 });
      if (firstTwo.length === 1 && firstTwo[0]._id.equals(current._id)) await beforeLastRecord(writes, clinicId);
      await writes.deletions.archiveClinicians([current], deletedBy);
      await writes.clinic.removeAdmin(userId);
      if (await writes.clinicians.deleteIfUnchanged(current)) return;
      // Changed since read (only another service instance can): read it again and archive that version.
    }
    throw ClinicErrors.concurrentModification();
  }

  /**
   * UpdateClinicUserDetails, clinician part: the e-mail on each of the user's clinician records, one
   * clinic's gate at a time. A clinic where another record has the e-mail keeps the old one; the
   * others are still updated. Returns how many records hold the e-mail afterwards, of how many.
   */
  async setUserEmail(userId: string, email: string): Promise<{ updated: number; total: number }> {
    let updated = 0;
    let total = 0;
    for (let offset = 0; ; offset += USER_RECORDS_BATCH) {
      const records = await this.clinicians.listOfUser(userId, { offset, limit: USER_RECORDS_BATCH });
      for (const record of records) {
        total += 1;
        const clinicId = record.clinicId.toHexString();
        if (await this.gate.run(clinicId, (writes) => this.setEmailInGate(writes, clinicId, userId, email))) {
          updated += 1;
        }
      }
      if (records.length < USER_RECORDS_BATCH) return { updated, total };
    }
  }

  /** False when another record of the clinic has the e-mail. */
  private async setEmailInGate(
    writes: ClinicWrites,
    clinicId: string,
    userId: string,
    email: string,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.clinicians.findMember(clinicId, userId);
      if (!current || current.emailKey === emailKey(clinicId, email)) return true;
      if (await this.clinicians.hasDuplicate(clinicId, { email })) return false;
      try {
        if (await writes.clinicians.setEmail(current, email)) return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    }
    throw ClinicErrors.concurrentModification();
  }

  /** 404 `clinician not found`. */
  async getInvitedClinician(clinicId: string, inviteId: string): Promise<ClinicianResponse> {
    const invite = await this.clinicians.findInvite(clinicId, inviteId);
    if (!invite) throw ClinicErrors.clinicianNotFound();
    return toClinicianResponse(invite);
  }

  /** Deletes the invite's record without archiving it; 404 when missing, 422 when the clinic is not migrated. */
  deleteInvitedClinician(clinicId: string, inviteId: string): Promise<void> {
    return this.gate.run(clinicId, async (writes) => {
      await this.requireMigratedClinic(clinicId);
      if (!(await writes.clinicians.deleteInvite(inviteId))) throw ClinicErrors.clinicianNotFound();
    });
  }

  /**
   * The invite becomes the user's membership: `userId` set, `inviteId` removed, the name taken from the
   * user's profile. 404 no invite, 409 the user is already a member, 422 not migrated.
   */
  async associateClinicianToUser(clinicId: string, inviteId: string, userId: string): Promise<ClinicianResponse> {
    return this.associateInvite(clinicId, inviteId, userId, await this.profileNameOf(userId));
  }

  /** The name an associated invite takes: the user's profile name (a remote read, so never inside a gate). */
  async profileNameOf(userId: string): Promise<string | undefined> {
    return (await this.directory.getProfile(userId))?.fullName;
  }

  /** AssociateClinicianToUser's write, with the user's profile name read beforehand ({@link profileNameOf}). */
  associateInvite(
    clinicId: string,
    inviteId: string,
    userId: string,
    fullName: string | undefined,
  ): Promise<ClinicianResponse> {
    return this.gate.run(clinicId, (writes) => this.associateInGate(writes, clinicId, inviteId, userId, fullName));
  }

  private async associateInGate(
    writes: ClinicWrites,
    clinicId: string,
    inviteId: string,
    userId: string,
    fullName: string | undefined,
  ): Promise<ClinicianResponse> {
    await this.requireMigratedClinic(clinicId);
    const invite = await this.clinicians.findInvite(clinicId, inviteId);
    if (!invite) throw ClinicErrors.clinicianNotFound();
    if (await this.clinicians.findMember(clinicId, userId)) throw ClinicErrors.duplicateClinician();

    let associated: ClinicianRecord | null;
    try {
      associated = await writes.clinicians.associateInvite(invite, userId, fullName || invite.name);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw ClinicErrors.duplicateClinician();
      throw error;
    }
    if (!associated) throw ClinicErrors.clinicianNotFound();
    if (isAdmin(associated.roles)) await writes.clinic.addAdmin(userId);
    return toClinicianResponse(associated);
  }

  /** The clinics a user is a clinician of, newest membership first. */
  async listClinicsForClinician(userId: string, page: Page): Promise<ClinicianClinicRelationship[]> {
    return this.withClinics(await this.clinicians.listOfUser(userId, page));
  }

  /** Every clinician record (invites included) with its clinic, newest first. */
  async listAllClinicians(input: ListAllCliniciansInput): Promise<ClinicianClinicRelationship[]> {
    const records = await this.clinicians.listAll(
      { start: parseQueryTime(input.createdTimeStart), end: parseQueryTime(input.createdTimeEnd) },
      { offset: input.offset, limit: input.limit },
    );
    return this.withClinics(records);
  }

  /**
   * A CLINIC_MEMBER record for an API client: its user id comes from the user directory, which
   * resolves the client credentials (an OAuth2 client-credentials grant with the tidepool directory).
   */
  async addServiceAccount(clinicId: string, input: ServiceAccountInput): Promise<ClinicianResponse> {
    await this.requireMigratedClinic(clinicId);
    const { userId } = await this.directory.resolveServiceAccount({
      clientId: input.client_id,
      clientSecret: input.client_secret,
      name: input.name,
    });
    return this.gate.run(clinicId, async (writes) => {
      await this.requireMigratedClinic(clinicId);
      return this.insert(clinicId, writes, {
        userId,
        name: input.name,
        roles: [ClinicianRole.CLINIC_MEMBER],
        isServiceAccount: true,
      });
    });
  }

  private async insert(
    clinicId: string,
    writes: ClinicWrites,
    clinician: Omit<NewClinician, 'clinicId'>,
  ): Promise<ClinicianResponse> {
    const keys = { userId: clinician.userId, inviteId: clinician.inviteId, email: clinician.email };
    if (await this.clinicians.hasDuplicate(clinicId, keys)) throw ClinicErrors.duplicateClinician();
    let record: ClinicianRecord;
    try {
      record = await writes.clinicians.insert(clinician);
    } catch (error) {
      // A concurrent create with the same user, invite or e-mail won the unique index.
      if (isDuplicateKeyError(error)) throw ClinicErrors.duplicateClinician();
      throw error;
    }
    if (record.userId && isAdmin(record.roles)) await writes.clinic.addAdmin(record.userId);
    return toClinicianResponse(record);
  }

  /**
   * Takes the user out of `admins` unless they are the last one (422). A user who is not listed
   * needs no removal (see the class comment).
   */
  private async releaseAdmin(writes: ClinicWrites, clinicId: string, userId: string): Promise<void> {
    if (await writes.clinic.removeAdminUnlessLast(userId)) return;
    const clinic = await this.clinics.findById(clinicId);
    if (!clinic) throw ClinicErrors.clinicNotFound();
    const admins = clinic.admins ?? [];
    if (!admins.includes(userId)) return;
    if (admins.length < 2) throw ClinicErrors.lastAdmin();
    // Listed with others, yet not removed: another service instance (MongoDB) changed the admins meanwhile.
    throw ClinicErrors.concurrentModification();
  }

  /** Compensation after a failed demotion or deletion: re-list the user if their record is still an admin. */
  private async restoreAdminIfStillAdmin(writes: ClinicWrites, clinicId: string, userId: string): Promise<void> {
    const record = await this.clinicians.findMember(clinicId, userId);
    if (record && isAdmin(record.roles)) await writes.clinic.addAdmin(userId);
  }

  private async requireMigratedClinic(clinicId: string): Promise<ClinicRecord> {
    const clinic = await this.clinicsService.requireClinic(clinicId);
    if (!clinic.isMigrated) throw ClinicErrors.notMigrated();
    return clinic;
  }

  private async requireMember(clinicId: string, userId: string): Promise<ClinicianRecord> {
    const record = await this.clinicians.findMember(clinicId, userId);
    if (!record) throw ClinicErrors.clinicianNotFound();
    return record;
  }

  /** One query for the page's clinics (no N+1). Records whose clinic no longer exists are left out. */
  private async withClinics(records: ClinicianRecord[]): Promise<ClinicianClinicRelationship[]> {
    const clinics = await this.clinics.findByIds(
      uniqueObjectIds(records.map((record) => record.clinicId.toHexString())),
    );
    const described = await this.clinicsService.describe(clinics);
    const byId = new Map(described.map((clinic) => [clinic.id, clinic]));
    const relationships: ClinicianClinicRelationship[] = [];
    for (const record of records) {
      const clinic = byId.get(record.clinicId.toHexString());
      if (clinic) relationships.push({ clinician: toClinicianResponse(record), clinic });
    }
    return relationships;
  }
}

function isAdmin(roles: readonly string[] | undefined): boolean {
  return (roles ?? []).includes(ClinicianRole.CLINIC_ADMIN);
}

function sameRoles(a: readonly string[] | undefined, b: readonly string[]): boolean {
  const left = [...(a ?? [])].sort();
  const right = [...b].sort();
  return left.length === right.length && left.every((role, i) => role === right[i]);
}
