import { Injectable, Logger } from '@nestjs/common';
import { Types } from 'mongoose';
import { UserDirectory } from '../../../auth/directory/user-directory';
import type { Principal } from '../../../auth/principal';
import type { Page } from '../../../common/validation/pagination.dto';
import { isDuplicateKeyError } from '../../../database/duplicate-key';
import { ClinicErrors } from '../clinic-errors';
import { BatchOutcome, ClinicWriteBatches } from '../clinic-write-batches';
import { ClinicWriteGate, ClinicWrites } from '../clinic-write-gate';
import { CliniciansRepository } from '../clinicians/clinicians.repository';
import type { ClinicRecord } from '../clinics/clinic.schema';
import { ClinicsRepository } from '../clinics/clinics.repository';
import { ClinicsService } from '../clinics/clinics.service';
import type { ClinicResponse } from '../clinics/dto/clinic-response.dto';
import type { FindPatientsQuery } from './dto/find-patients.dto';
import type { CreatePatientBody, PatientBody } from './dto/patient-body.dto';
import type { PatientClinicRelationship } from './dto/patient-clinic.dto';
import { PatientCountResponse, toPatientCountResponse } from './dto/patient-count.dto';
import type { PatientPermissionsDto, PatientReviewDto } from './dto/patient-parts.dto';
import { PatientResponse, toPatientResponse, toPermissions } from './dto/patient-response.dto';
import { PatientSummaryBody, toStoredStats } from './dto/patient-summary.dto';
import { PatientCountsService } from './patient-counts.service';
import { PatientErrors } from './patient-errors';
import { activeHardLimit } from './patient-limit';
import {
  ALL_PERMISSIONS,
  hasPermissions,
  patientFieldsFromUser,
  resolveSites,
  storedDataSources,
  storedGlycemicRanges,
  storedPermissions,
  storedReviews,
  storedTags,
} from './patient-fields';
import { isCurrentPatientCount } from './patient-counts';
import { mrnLower, type PatientPermission, type PatientRecord, type PatientSummaryRecord } from './patient.schema';
import { NewPatientRecord, PatientChanges, PatientsRepository } from './patients.repository';

/** FindPatients reads the caller's clinician records in at most this many clinics. */
const FIND_PATIENTS_CLINIC_LIMIT = 1000;
/** Records archived and deleted per round when a clinic's non-custodial patients are removed. */
const REMOVAL_BATCH = 500;

/** One creation waiting for its clinic's gate. */
interface PatientInsert {
  draft: NewPatientRecord;
  options: InsertOptions;
}

/** A record whose counts are reserved, waiting to be inserted. */
interface ReservedInsert {
  /** Its position in the batch. */
  index: number;
  record: NewPatientRecord;
  /** Its `$inc` amounts; undefined: the counts are recounted after the insert. */
  amounts: Record<string, number> | undefined;
}

interface InsertOptions {
  /** Requested site ids (names come from the clinic). */
  siteIds?: string[];
  /** What an id the clinic does not have means: 422, or nothing. */
  unknownSites: 'reject' | 'drop';
  /** When the user already has a record in the clinic: what to answer instead of 409. */
  onDuplicate?: (writes: ClinicWrites, existing: PatientRecord) => Promise<PatientRecord>;
}

/**
 * Patients of a clinic (behavior-patients.md §5–§16): creation (custodial accounts and existing
 * users), reads, updates, deletion, permissions, reviews, upload reminders, summaries, counts.
 *
 * Every write runs inside the clinic's write gate. The user directory is called only outside it:
 * accounts and profiles are read before, a custodial account is created before (and removed again
 * if its patient record cannot be stored), an e-mail change is sent before (and undone if the
 * record update then fails).
 */
@Injectable()
export class PatientsService {
  private readonly logger = new Logger(PatientsService.name);

  /** Creations of records, batched per clinic. */
  private readonly inserts: ClinicWriteBatches<PatientInsert, PatientRecord>;

  constructor(
    private readonly patients: PatientsRepository,
    private readonly clinics: ClinicsRepository,
    private readonly clinicsService: ClinicsService,
    private readonly clinicians: CliniciansRepository,
    private readonly counts: PatientCountsService,
    private readonly directory: UserDirectory,
    private readonly gate: ClinicWriteGate,
  ) {
    this.inserts = new ClinicWriteBatches(gate, (writes, clinicId, requests) =>
      this.insertPatients(writes, clinicId, requests),
    );
  }

  /** 404 `patient not found`. */
  async getPatient(clinicId: string, userId: string): Promise<PatientResponse> {
    return toPatientResponse(await this.requirePatient(clinicId, userId));
  }

  /**
   * A custodial account and its patient record (§8). The clinic's rules (MRN, sites, patient limit)
   * are checked before the account is created, so a refused request leaves no account behind, and
   * again inside the gate, where they are authoritative.
   */
  async createPatientAccount(principal: Principal, clinicId: string, body: PatientBody): Promise<PatientResponse> {
    if (!principal.subjectId) throw PatientErrors.expectedUser();
    const clinic = await this.clinicsService.requireClinic(clinicId);
    const email = body.email?.toLowerCase();
    const draft: NewPatientRecord = {
      userId: '',
      fullName: body.fullName,
      birthDate: body.birthDate,
      email: email ?? null,
      mrn: body.mrn ?? null,
      targetDevices: body.targetDevices ?? null,
      requireUniqueMrn: false,
      tags: storedTags(body.tags),
      dataSources: body.dataSources ? storedDataSources(body.dataSources) : undefined,
      reviews: body.reviews ? storedReviews(body.reviews) : undefined,
      glycemicRanges: body.glycemicRanges ? storedGlycemicRanges(body.glycemicRanges) : undefined,
      diagnosisType: body.diagnosisType ?? undefined,
      permissions: { ...ALL_PERMISSIONS },
      invitedBy: principal.isServer ? undefined : principal.subjectId,
    };
    const siteIds = body.sites?.map((site) => site.id);
    await this.checkMrn(clinic, draft.mrn, undefined);
    if (siteIds) resolveSites(clinic, siteIds, 'reject');
    const limit = activeHardLimit(clinic);
    if (limit !== undefined && isCurrentPatientCount(clinic.patientCount) && clinic.patientCount.plan >= limit) {
      throw PatientErrors.patientLimitReached();
    }

    const user = await this.directory.createCustodialUser({
      clinicId,
      ...(email ? { email } : {}),
      fullName: body.fullName,
    });
    try {
      const record = await this.insertPatient(
        clinicId,
        { ...draft, userId: user.userId },
        { siteIds, unknownSites: 'reject' },
      );
      return toPatientResponse(record);
    } catch (error) {
      await this.directory.removeCustodialUser(user.userId).catch((cleanupError: unknown) => {
        this.logger.error(
          { err: cleanupError, clinicId, userId: user.userId },
          'could not remove a custodial account whose patient record failed',
        );
      });
      throw error;
    }
  }

  /**
   * A record for an existing user (§9, server tokens): name, birth date, MRN and target devices come
   * from the user's profile where not sent. With `legacyClinicianId`, an existing record gets the id
   * added and is returned; otherwise an existing record is 409.
   */
  async createPatientFromUser(clinicId: string, userId: string, body: CreatePatientBody): Promise<PatientResponse> {
    const draft = await this.draftPatientFromUser(clinicId, userId, body);
    const legacyClinicianIds = draft.legacyClinicianIds;
    const record = await this.insertPatient(clinicId, draft, {
      siteIds: body.sites?.map((site) => site.id),
      unknownSites: 'drop',
      onDuplicate: legacyClinicianIds
        ? async (writes, existing) =>
            (await writes.patients.addLegacyClinicianIds(existing.userId, legacyClinicianIds)) ?? existing
        : undefined,
    });
    return toPatientResponse(record);
  }

  /**
   * The first half of creating a record for an existing user: the remote reads (the account and its
   * profile; the clinic is read in the write, or here when the user is unknown). Call it outside any
   * write gate, then hand the draft to {@link createDraftedPatient} — which may run inside a gate of a
   * lower rank (an invite's).
   */
  async draftPatientFromUser(clinicId: string, userId: string, body: CreatePatientBody): Promise<NewPatientRecord> {
    const found = await this.directory.getUserWithProfile(userId);
    if (!found) {
      // An unknown clinic is the answer before an unknown user; the write checks the clinic otherwise.
      await this.clinicsService.requireClinic(clinicId);
      throw PatientErrors.userNotFound();
    }
    const { user, profile } = found;
    const permissions = storedPermissions(body.permissions);
    return {
      userId,
      ...patientFieldsFromUser(user, profile, body),
      requireUniqueMrn: false,
      tags: storedTags(body.tags),
      glycemicRanges: body.glycemicRanges ? storedGlycemicRanges(body.glycemicRanges) : undefined,
      diagnosisType: body.diagnosisType ?? undefined,
      permissions: hasPermissions(permissions) ? permissions : undefined,
      isMigrated: body.isMigrated ? true : undefined,
      legacyClinicianIds: body.legacyClinicianId ? [body.legacyClinicianId] : undefined,
    };
  }

  /**
   * Stores a drafted record through the shared creation pipeline (MRN rules, sites, counts). Site ids
   * the clinic does not have are 422. When the user already has a record in the clinic, that record
   * is answered (`existing: true`) instead of 409. No remote calls: safe inside an invite's gate.
   */
  async createDraftedPatient(
    clinicId: string,
    draft: NewPatientRecord,
    siteIds: string[] | undefined,
  ): Promise<{ patient: PatientResponse; existing: boolean }> {
    let existing = false;
    const record = await this.insertPatient(clinicId, draft, {
      siteIds,
      unknownSites: 'reject',
      onDuplicate: (_writes, found) => {
        existing = true;
        return Promise.resolve(found);
      },
    });
    return { patient: toPatientResponse(record), existing };
  }

  /**
   * UpdatePatient (§10): name, birth date, e-mail, MRN and target devices are always replaced; tags,
   * sites, data sources, reviews, glycemic ranges and diagnosis type only when sent. A changed MRN
   * deactivates the record's EHR subscriptions. A custodial patient's changed e-mail is first changed
   * in the user directory (409 when taken).
   */
  async updatePatient(clinicId: string, userId: string, body: PatientBody): Promise<PatientResponse> {
    const existing = await this.requirePatient(clinicId, userId);
    const clinic = await this.clinicsService.requireClinic(clinicId);
    const email = body.email !== undefined && body.email !== null ? body.email.toLowerCase() : null;
    const mrn = body.mrn ?? null;
    await this.checkMrn(clinic, mrn, userId);
    const siteIds = body.sites?.map((site) => site.id);
    if (siteIds?.length) resolveSites(clinic, siteIds, 'reject');

    const previousEmail = existing.email ?? null;
    const emailChanged =
      existing.permissions?.custodian !== undefined && !!email && email !== (previousEmail ?? '').toLowerCase();
    if (emailChanged) await this.directory.updateUserEmail(userId, email);
    try {
      const updated = await this.gate.run(clinicId, async (writes) => {
        const current = await this.requirePatient(clinicId, userId);
        const clinicNow = await this.clinicsService.requireClinic(clinicId);
        const requireUniqueMrn = await this.checkMrn(clinicNow, mrn, userId);
        const changes: PatientChanges = {
          fullName: body.fullName,
          birthDate: body.birthDate,
          email,
          mrn,
          targetDevices: body.targetDevices ?? null,
          requireUniqueMrn,
          tags: body.tags ? storedTags(body.tags) : undefined,
          sites: siteIds ? resolveSites(clinicNow, siteIds, 'reject') : undefined,
          dataSources: body.dataSources
            ? body.dataSources.length
              ? storedDataSources(body.dataSources)
              : null
            : undefined,
          reviews: body.reviews?.length ? storedReviews(body.reviews) : undefined,
          glycemicRanges: body.glycemicRanges ? storedGlycemicRanges(body.glycemicRanges) : undefined,
          diagnosisType: body.diagnosisType ?? undefined,
        };
        if ((current.mrn ?? null) !== mrn && current.ehrSubscriptions) {
          changes.ehrSubscriptions = Object.fromEntries(
            Object.entries(current.ehrSubscriptions).map(([name, subscription]) => [
              name,
              { ...subscription, active: false },
            ]),
          );
        }
        const next = await this.writeOrMrnConflict(() => writes.patients.update(current, changes));
        if (!next) throw PatientErrors.concurrentModification();
        await this.counts.apply(writes, clinicId, current, next);
        return next;
      });
      return toPatientResponse(updated);
    } catch (error) {
      if (emailChanged && previousEmail) {
        await this.directory.updateUserEmail(userId, previousEmail).catch((revertError: unknown) => {
          this.logger.error({ err: revertError, userId }, 'could not restore the e-mail of a custodial account');
        });
      }
      throw error;
    }
  }

  /** Archives and deletes the record; `deletedByUserId` is the caller for user tokens. */
  async deletePatient(principal: Principal, clinicId: string, userId: string): Promise<void> {
    const deletedBy = principal.isServer ? undefined : principal.subjectId;
    await this.gate.run(clinicId, async (writes) => {
      const current = await this.requirePatient(clinicId, userId);
      await this.removeInGate(writes, clinicId, current, deletedBy);
    });
  }

  /**
   * The patient's own permissions for the clinic (§12). `custodian` is never granted this way. No
   * permission left removes the patient (archived as deleted by themself): undefined, answered 204.
   */
  async updatePatientPermissions(
    clinicId: string,
    userId: string,
    body: PatientPermissionsDto | undefined,
  ): Promise<PatientPermissionsDto | undefined> {
    const permissions = storedPermissions(body);
    delete permissions.custodian;
    return this.gate.run(clinicId, async (writes) => {
      const current = await this.requirePatient(clinicId, userId);
      if (!hasPermissions(permissions)) {
        await this.removeInGate(writes, clinicId, current, userId);
        return undefined;
      }
      const next = await writes.patients.setPermissions(current, permissions);
      if (!next) throw PatientErrors.concurrentModification();
      return toPermissions(next.permissions ?? {});
    });
  }

  /** Revokes one permission (404 `permission not found` when not granted); none left removes the patient. */
  async deletePatientPermission(clinicId: string, userId: string, permission: PatientPermission): Promise<void> {
    await this.gate.run(clinicId, async (writes) => {
      const next = await writes.patients.removePermission(userId, permission);
      if (!next) throw PatientErrors.permissionNotFound();
      if (!hasPermissions(next.permissions)) await this.removeInGate(writes, clinicId, next, userId);
    });
  }

  /** The caller reviewed the patient now: the two newest reviews are kept, newest first (§13). */
  async updatePatientReviews(principal: Principal, clinicId: string, userId: string): Promise<PatientReviewDto[]> {
    const clinicianId = requireUser(principal);
    return this.gate.run(clinicId, async (writes) => {
      const current = await this.requirePatient(clinicId, userId);
      const review = { clinicianId, time: new Date() };
      const next = await writes.patients.setReviews(current, [review, ...(current.reviews ?? [])].slice(0, 2));
      if (!next) throw PatientErrors.concurrentModification();
      return toReviews(next);
    });
  }

  /** Reverts the newest review, only when the caller wrote it (409 otherwise, 404 when there is none). */
  async deletePatientReviews(principal: Principal, clinicId: string, userId: string): Promise<PatientReviewDto[]> {
    const clinicianId = requireUser(principal);
    return this.gate.run(clinicId, async (writes) => {
      const current = await this.requirePatient(clinicId, userId);
      const reviews = current.reviews ?? [];
      if (reviews.length === 0) throw PatientErrors.noReviews();
      if (reviews[0].clinicianId !== clinicianId) throw PatientErrors.reviewOfAnotherClinician();
      const next = await writes.patients.setReviews(current, reviews.slice(1));
      if (!next) throw PatientErrors.concurrentModification();
      return toReviews(next);
    });
  }

  /** Records that the caller reminded the patient to upload (§16); no e-mail is sent. */
  async sendUploadReminder(principal: Principal, clinicId: string, userId: string): Promise<PatientResponse> {
    requireUser(principal);
    const next = await this.gate.run(clinicId, (writes) =>
      writes.patients.setLastUploadReminderTime(userId, new Date()),
    );
    if (!next) throw PatientErrors.patientNotFound();
    return toPatientResponse(next);
  }

  /** The user's patient records with their clinics, by name case-insensitively (§19). */
  async listClinicsForPatient(userId: string, page: Page): Promise<PatientClinicRelationship[]> {
    const records = await this.patients.listOfUser(userId, page);
    return this.withClinics(records);
  }

  /**
   * Patients of the clinics where the caller has a clinician record (§5), by MRN (case-insensitive)
   * and birth date; `workspaceId` narrows the clinics.
   */
  async findPatients(principal: Principal, query: FindPatientsQuery): Promise<PatientClinicRelationship[]> {
    if (principal.isServer || !principal.subjectId) throw PatientErrors.expectedUserUnauthorized();
    if (query.workspaceId && !query.workspaceIdType) throw PatientErrors.workspaceIdTypeRequired();
    const memberships = await this.clinicians.listOfUser(principal.subjectId, {
      offset: 0,
      limit: FIND_PATIENTS_CLINIC_LIMIT,
    });
    let clinicIds = [...new Map(memberships.map((record) => [String(record.clinicId), record.clinicId])).values()];
    if (query.workspaceId && query.workspaceIdType === 'clinicId') {
      clinicIds = clinicIds.filter((id) => String(id) === query.workspaceId);
    } else if (query.workspaceId && query.workspaceIdType === 'ehrSourceId') {
      const clinics = await this.clinics.findByIds(clinicIds);
      clinicIds = clinics
        .filter((clinic) => clinic.ehrSettings?.sourceId === query.workspaceId)
        .map((clinic) => clinic._id);
    }
    const records = await this.patients.find(
      clinicIds.map((id) => new Types.ObjectId(String(id))),
      { mrn: query.mrn || undefined, birthDate: query.birthDate || undefined },
      { offset: query.offset, limit: query.limit },
    );
    return this.withClinics(records);
  }

  async getPatientCount(clinicId: string): Promise<PatientCountResponse> {
    return toPatientCountResponse(await this.counts.getPatientCount(clinicId));
  }

  async refreshPatientCount(clinicId: string): Promise<void> {
    await this.counts.refresh(clinicId);
  }

  /**
   * Writes the user's statistics on their record in every clinic (§15): each of `cgmStats`/`bgmStats`
   * that has an id replaces its stored counterpart; no body removes the summary. False when the user
   * is nobody's patient (answered 204).
   */
  async updatePatientSummary(userId: string, body: PatientSummaryBody | undefined): Promise<boolean> {
    let summary: PatientSummaryRecord | undefined;
    if (body) {
      summary = {};
      if (body.cgmStats && typeof body.cgmStats.id === 'string') summary.cgmStats = toStoredStats(body.cgmStats);
      if (body.bgmStats && typeof body.bgmStats.id === 'string') summary.bgmStats = toStoredStats(body.bgmStats);
    }
    let matched = false;
    for (const clinicId of distinct(await this.patients.clinicIdsOfUser(userId))) {
      if (await this.gate.run(clinicId, (writes) => writes.patients.setSummary(userId, summary))) matched = true;
    }
    return matched;
  }

  /** Removes the statistics with this id wherever they are stored. False when there were none (answered 204). */
  async deletePatientSummary(summaryId: string): Promise<boolean> {
    let modified = 0;
    for (const clinicId of distinct(await this.patients.clinicIdsWithSummary(summaryId))) {
      modified += await this.gate.run(clinicId, (writes) => writes.patients.removeSummary(summaryId));
    }
    return modified > 0;
  }

  /**
   * DeleteUserFromClinics, patient part: the user's record in every clinic is archived and deleted,
   * one clinic's gate at a time. Each clinic's counts are removed first and recounted last, so an
   * interrupted run leaves them exact or absent (recounted on next use), never stale; repeating the
   * request finds the records still left.
   */
  async deleteUserPatients(userId: string, deletedBy: string | undefined): Promise<void> {
    for (const clinicId of distinct(await this.patients.clinicIdsOfUser(userId))) {
      await this.gate.run(clinicId, async (writes) => {
        const current = await this.patients.findOne(clinicId, userId);
        if (!current) return;
        await writes.clinic.clearPatientCount();
        await writes.patientDeletions.archivePatient(current, deletedBy);
        await writes.patients.delete(userId);
        await this.counts.recount(writes, clinicId);
      });
    }
  }

  /**
   * Inside the clinic's gate: archives and deletes every record without custodian permission (a clinic
   * left without clinicians keeps only the custodial accounts someone may still claim), in batches,
   * then recounts. Counts are removed first, as in {@link deleteUserPatients}. Repeating it is harmless.
   */
  async removeNonCustodialPatients(
    writes: ClinicWrites,
    clinicId: string,
    deletedBy: string | undefined,
  ): Promise<void> {
    await writes.clinic.clearPatientCount();
    for (;;) {
      const batch = await this.patients.listNonCustodialBatch(clinicId, REMOVAL_BATCH);
      if (batch.length === 0) break;
      await writes.patientDeletions.archivePatients(batch, deletedBy);
      if ((await writes.patients.deleteByIds(batch.map((record) => record._id))) === 0) {
        throw new Error(`no progress removing the non-custodial patients of clinic ${clinicId}`);
      }
    }
    await this.counts.recount(writes, clinicId);
  }

  /**
   * UpdateClinicUserDetails, patient part: the e-mail on the user's record in every clinic, stored as
   * given; null (no e-mail, or an empty one) clears it.
   */
  async setUserEmail(userId: string, email: string | null): Promise<void> {
    for (const clinicId of distinct(await this.patients.clinicIdsOfUser(userId))) {
      await this.gate.run(clinicId, (writes) => writes.patients.setEmail(userId, email));
    }
  }

  /**
   * The shared creation pipeline (§7). Creations for one clinic that arrive while its gate is busy
   * are written together in its next gated run (see {@link insertPatients}).
   */
  private insertPatient(clinicId: string, draft: NewPatientRecord, options: InsertOptions): Promise<PatientRecord> {
    return this.inserts.submit(clinicId, { draft, options });
  }

  /**
   * The creation pipeline for a batch of records of one clinic, inside its gate: the clinic is read
   * once; each record gets the MRN rules and its sites; records under the patient limit (custodial
   * ones) each reserve their place with one conditional `$inc` of the plan count, the others share
   * one `$inc`; one insert command writes them all, and the counts of the records it refused are
   * taken back. The unique `{clinicId, userId}` index makes a second record for the same user a 409
   * however the requests interleave (an existing record goes to `onDuplicate` instead, when given),
   * and the unique MRN key does the same for MRNs the clinic requires to be unique.
   */
  private async insertPatients(
    writes: ClinicWrites,
    clinicId: string,
    requests: PatientInsert[],
  ): Promise<Array<BatchOutcome<PatientRecord>>> {
    const clinic = await this.clinicsService.requireClinic(clinicId);
    await this.counts.ensureCurrent(writes, clinic);
    const outcomes: Array<BatchOutcome<PatientRecord>> = requests.map(() => ({ error: undefined }));
    const reserved: ReservedInsert[] = [];
    const shared: ReservedInsert[] = [];
    for (const [index, { draft, options }] of requests.entries()) {
      try {
        const record: NewPatientRecord = { ...draft };
        record.requireUniqueMrn = await this.checkMrn(clinic, record.mrn, record.userId);
        if (options.siteIds) record.sites = resolveSites(clinic, options.siteIds, options.unknownSites);
        const amounts = this.counts.increment(undefined, record);
        const limit = record.permissions?.custodian ? activeHardLimit(clinic) : undefined;
        if (limit === undefined) {
          shared.push({ index, record, amounts });
        } else if (await writes.clinic.adjustPatientCount(amounts ?? {}, { planBelow: limit })) {
          reserved.push({ index, record, amounts });
        } else {
          outcomes[index] = { error: PatientErrors.patientLimitReached() };
        }
      } catch (error) {
        outcomes[index] = { error };
      }
    }
    if (shared.length > 0) {
      if (await writes.clinic.adjustPatientCount(summed(shared.map((entry) => entry.amounts))))
        reserved.push(...shared);
      else for (const entry of shared) outcomes[entry.index] = { error: ClinicErrors.clinicNotFound() };
    }
    if (reserved.length === 0) return outcomes;

    const inserted = await this.insertReserved(writes, reserved);
    const refused = reserved.filter((_entry, i) => 'error' in inserted[i]);
    if (refused.length > 0)
      await writes.clinic.adjustPatientCount(negated(summed(refused.map((entry) => entry.amounts))));
    for (const [i, entry] of reserved.entries()) {
      const outcome = inserted[i];
      outcomes[entry.index] =
        'error' in outcome
          ? await this.afterRefusedInsert(writes, clinicId, entry, requests[entry.index], outcome.error)
          : outcome;
    }
    if (reserved.some((entry, i) => !entry.amounts && 'value' in inserted[i]))
      await this.counts.recount(writes, clinicId);
    return outcomes;
  }

  /** One insert command for the reserved records; an error about the command as a whole fails each record. */
  private async insertReserved(
    writes: ClinicWrites,
    reserved: ReservedInsert[],
  ): Promise<Array<BatchOutcome<PatientRecord>>> {
    try {
      return await writes.patients.insertMany(reserved.map((entry) => entry.record));
    } catch (error) {
      return reserved.map(() => ({ error }));
    }
  }

  /** A record the insert refused: a duplicate user (409, or `onDuplicate`), a taken MRN (400), or its error. */
  private async afterRefusedInsert(
    writes: ClinicWrites,
    clinicId: string,
    entry: ReservedInsert,
    request: PatientInsert,
    error: unknown,
  ): Promise<BatchOutcome<PatientRecord>> {
    if (!isDuplicateKeyError(error)) return { error };
    try {
      const existing = await this.patients.findOne(clinicId, entry.record.userId);
      if (!existing) return { error: PatientErrors.mrnNotUnique() };
      if (request.options.onDuplicate) return { value: await request.options.onDuplicate(writes, existing) };
      return { error: PatientErrors.duplicatePatient() };
    } catch (cause) {
      return { error: cause };
    }
  }

  /** Archive first: if the archive cannot be written, nothing is deleted. */
  private async removeInGate(
    writes: ClinicWrites,
    clinicId: string,
    current: PatientRecord,
    deletedBy: string | undefined,
  ): Promise<void> {
    await writes.patientDeletions.archivePatient(current, deletedBy);
    if (await writes.patients.delete(current.userId)) await this.counts.apply(writes, clinicId, current, undefined);
  }

  /**
   * The clinic's MRN rules (§14.1): 400 when required and missing, or when unique and another record
   * of the clinic has the same MRN (trimmed, case-insensitively; the same user is no conflict).
   * Returns the record's `requireUniqueMrn` flag.
   */
  private async checkMrn(clinic: ClinicRecord, mrn: string | null, userId: string | undefined): Promise<boolean> {
    const settings = clinic.mrnSettings;
    const folded = mrnLower(mrn);
    if (settings?.required && !folded) throw PatientErrors.mrnRequired();
    if (!settings?.unique) return false;
    if (folded) {
      const holders = await this.patients.userIdsWithMrn(clinic._id.toHexString(), folded, 2);
      if (holders.length > 1 || (holders.length === 1 && holders[0] !== userId)) throw PatientErrors.mrnNotUnique();
    }
    return true;
  }

  /** A unique-index violation on an update can only be the MRN key. */
  private async writeOrMrnConflict<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isDuplicateKeyError(error)) throw PatientErrors.mrnNotUnique();
      throw error;
    }
  }

  private async requirePatient(clinicId: string, userId: string): Promise<PatientRecord> {
    const record = await this.patients.findOne(clinicId, userId);
    if (!record) throw PatientErrors.patientNotFound();
    return record;
  }

  /** Pairs records with their clinics (one query); a record whose clinic is gone is an error. */
  private async withClinics(records: PatientRecord[]): Promise<PatientClinicRelationship[]> {
    const clinicIds = distinct(records.map((record) => record.clinicId)).map((id) => new Types.ObjectId(id));
    const described = await this.clinicsService.describe(await this.clinics.findByIds(clinicIds));
    const byId = new Map<string, ClinicResponse>(described.map((clinic) => [clinic.id, clinic]));
    return records.map((record) => {
      const clinic = byId.get(String(record.clinicId));
      if (!clinic) throw new Error(`patient record ${String(record._id)} belongs to a missing clinic`);
      return { patient: toPatientResponse(record), clinic };
    });
  }
}

/** The caller's user id; 400 for server tokens and tokens without a user. */
function requireUser(principal: Principal): string {
  if (!principal.subjectId) throw PatientErrors.expectedUser();
  if (principal.isServer) throw PatientErrors.expectedUserToken();
  return principal.subjectId;
}

function toReviews(record: PatientRecord): PatientReviewDto[] {
  return (record.reviews ?? []).map((review) => ({
    clinicianId: review.clinicianId,
    time: new Date(review.time).toISOString(),
  }));
}

/** The sum of `$inc` amounts (undefined ones, which mean "recount", add nothing). */
function summed(all: Array<Record<string, number> | undefined>): Record<string, number> {
  const total: Record<string, number> = {};
  for (const amounts of all) {
    for (const [path, amount] of Object.entries(amounts ?? {})) total[path] = (total[path] ?? 0) + amount;
  }
  return total;
}

function negated(amounts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(amounts).map(([path, amount]) => [path, -amount]));
}

/** Distinct ids as hex strings, in ascending order. */
function distinct(ids: Array<Types.ObjectId | string>): string[] {
  return [...new Set(ids.map((id) => String(id)))].sort();
}
