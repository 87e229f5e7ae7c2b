import { Inject, Injectable, Logger } from '@nestjs/common';
import { Mutex } from 'async-mutex';
import type { ConfigType } from '@nestjs/config';
import { clinicsConfig } from '../../../config/clinics.config';
import type { Principal } from '../../../auth/principal';
import { UserDirectory, UserWithProfile } from '../../../auth/directory/user-directory';
import type { Page } from '../../../common/validation/pagination.dto';
import { ClinicianRole, DEFAULT_HARD_LIMIT_PLAN } from '../clinic.constants';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate, ClinicWrites } from '../clinic-write-gate';
import type { ClinicBody } from './dto/clinic-body.dto';
import { ClinicResponse, toClinicResponse } from './dto/clinic-response.dto';
import type { MembershipRestrictionsDto } from './dto/clinic-settings.dto';
import { patientFieldsFromUser } from '../patients/patient-fields';
import { NewPatientRecord, PatientsRepository } from '../patients/patients.repository';
import { CliniciansRepository } from '../clinicians/clinicians.repository';
import { ClinicListFilters, ClinicProfileChanges, ClinicsRepository, NewClinic } from './clinics.repository';
import type { ClinicRecord } from './clinic.schema';
import type { ClinicianRecord } from '../clinicians/clinician.schema';
import { parseQueryTime } from '../query-values';
import { insertWithUniqueShareCodes, ShareCodeGenerator } from './share-code';
import { BatchOutcome, GroupCommit } from '../../../database/group-commit';
import { ClinicsWriter } from './clinics.repository';
import { CliniciansWriter } from '../clinicians/clinicians.repository';
import { PatientsWriter } from '../patients/patients.repository';

export interface MembershipRestriction {
  emailDomain: string;
  requiredIdp?: string;
}

/** The stored and answered form: an empty `requiredIdp` is left out. */
function toMembershipRestriction(restriction: MembershipRestriction): MembershipRestriction {
  return {
    emailDomain: restriction.emailDomain,
    ...(restriction.requiredIdp ? { requiredIdp: restriction.requiredIdp } : {}),
  };
}

export interface ListClinicsInput extends Page {
  shareCode?: string;
  createdTimeStart?: string;
  createdTimeEnd?: string;
  ehrEnabled?: boolean;
}

/** The profile fields a client may set on a clinic (CreateClinic and UpdateClinic). */
export type ClinicInput = Pick<
  ClinicBody,
  | 'name'
  | 'clinicType'
  | 'clinicSize'
  | 'address'
  | 'city'
  | 'country'
  | 'postalCode'
  | 'state'
  | 'phoneNumbers'
  | 'website'
  | 'preferredBgUnits'
  | 'timezone'
>;

/** The platform role of users who may run a clinic (EnableNewClinicExperience). */
const CLINIC_USER_ROLE = 'clinic';
/** Clinician records are archived and deleted in batches of this size (DeleteClinic). */
const DELETION_BATCH = 1000;

/** Clinics: creation, reads with live patient counts, profile updates, deletion, membership restrictions. */
@Injectable()
export class ClinicsService {
  private readonly logger = new Logger(ClinicsService.name);
  /** One batch of clinic creations is written at a time. */
  private readonly creationTurn = new Mutex();
  private readonly creations = new GroupCommit<ClinicCreation, ClinicRecord>((_key, takeItems) =>
    this.creationTurn.runExclusive(() => this.createClinicsWithAdmins(takeItems())),
  );

  constructor(
    private readonly clinics: ClinicsRepository,
    private readonly clinicians: CliniciansRepository,
    private readonly patients: PatientsRepository,
    private readonly directory: UserDirectory,
    private readonly shareCodes: ShareCodeGenerator,
    private readonly gate: ClinicWriteGate,
    @Inject(clinicsConfig.KEY) private readonly config: ConfigType<typeof clinicsConfig>,
  ) {}

  async listClinics(input: ListClinicsInput): Promise<ClinicResponse[]> {
    const filters: ClinicListFilters = {
      shareCode: input.shareCode,
      createdTimeStart: parseQueryTime(input.createdTimeStart),
      createdTimeEnd: parseQueryTime(input.createdTimeEnd),
      ehrEnabled: input.ehrEnabled,
    };
    const records = await this.clinics.list(filters, { offset: input.offset, limit: input.limit });
    return this.describe(records);
  }

  /** 404 `clinic not found`. */
  async getClinic(clinicId: string): Promise<ClinicResponse> {
    const found = await this.clinics.findByIdCached(clinicId);
    if (!found) throw ClinicErrors.clinicNotFound();
    return (await this.describe([found]))[0];
  }

  /** Exact, case-sensitive; a merged clinic's old code finds the clinic it was merged into. */
  async getClinicByShareCode(shareCode: string): Promise<ClinicResponse> {
    const found = await this.clinics.findByShareCode(shareCode);
    if (!found) throw ClinicErrors.notFound();
    return (await this.describe([found]))[0];
  }

  /**
   * The caller becomes the clinic's first admin. With DEMO_PATIENT_USER_ID set, that user is added as
   * a view-only demo patient (behavior-clinics.md §1.3).
   */
  async createClinic(principal: Principal, input: ClinicInput): Promise<ClinicResponse> {
    if (!principal.subjectId) throw ClinicErrors.expectedUser();
    const creator = await this.directory.getUserWithProfile(principal.subjectId);
    if (!creator) throw ClinicErrors.notFound();
    const demoPatient = await this.demoPatient();
    const clinic = await this.createClinicWithAdmin(creator, { ...profileOf(input), isMigrated: true }, demoPatient);
    return (await this.describe([clinic]))[0];
  }

  /** An empty, unmigrated clinic for a legacy clinician account (behavior-clinics.md §1.17). */
  async enableNewClinicExperience(userId: string): Promise<ClinicResponse> {
    const found = await this.directory.getUserWithProfile(userId);
    if (!found) throw ClinicErrors.notFound();
    if (!found.user.roles.includes(CLINIC_USER_ROLE)) throw ClinicErrors.notClinician(userId);
    const clinic = await this.createClinicWithAdmin(found, { timezone: null, isMigrated: false });
    return (await this.describe([clinic]))[0];
  }

  /**
   * Partial update: name and preferredBgUnits always, the other profile fields when present;
   * `timezone` and `phoneNumbers` are always written, so omitting them clears them (§1.7).
   */
  async updateClinic(clinicId: string, input: ClinicInput): Promise<ClinicResponse> {
    const profile = profileOf(input);
    const changes: ClinicProfileChanges = {
      ...profile,
      timezone: input.timezone ?? null,
      phoneNumbers: profile.phoneNumbers ?? null,
    };
    const updated = await this.gate.run(clinicId, (writes) => writes.clinic.updateProfile(changes));
    if (!updated) throw ClinicErrors.clinicNotFound();
    return this.getClinic(clinicId);
  }

  /**
   * Deletes an empty clinic — no patients, or only the configured demo patient — and all its
   * clinician records (invites included), archiving them first. Order: archive and delete the demo
   * patient, archive the clinicians, archive the clinic, delete the clinicians, delete the clinic. A
   * failure part-way leaves archives of records that still exist (rewritten on retry, as archives are
   * keyed by the original id), never a deleted record without its archive. Inside the clinic's write
   * gate, so no clinician or patient is added meanwhile (their writes wait for the gate and find no
   * clinic after).
   */
  deleteClinic(principal: Principal, clinicId: string): Promise<void> {
    return this.gate.run(clinicId, (writes) => this.deleteInGate(principal, clinicId, writes));
  }

  /**
   * DeleteClinic's work, for a caller already holding the clinic's write gate (a clinic merge deletes
   * its source clinic with it). 404 without the clinic; 400 when it still has patients.
   */
  async deleteInGate(principal: Principal, clinicId: string, writes: ClinicWrites): Promise<void> {
    const clinic = await this.requireClinic(clinicId);
    const patients = await this.patients.listFirstOfClinic(clinicId, 2);
    const demoUserId = this.config.demoPatientUserId;
    if (patients.length > 1 || (patients.length === 1 && patients[0].userId !== demoUserId)) {
      throw ClinicErrors.nonEmptyClinic();
    }
    const deletedBy = principal.isServer ? undefined : principal.subjectId;
    for (const demo of patients) {
      await writes.patientDeletions.archivePatient(demo, deletedBy);
      await writes.patients.delete(demo.userId);
    }

    const clinicians: ClinicianRecord[] = [];
    for (let offset = 0; ; offset += DELETION_BATCH) {
      const batch = await this.clinicians.listBatchOfClinic(clinicId, { offset, limit: DELETION_BATCH });
      await writes.deletions.archiveClinicians(batch, deletedBy);
      clinicians.push(...batch);
      if (batch.length < DELETION_BATCH) break;
    }
    await writes.deletions.archiveClinic(clinic, deletedBy);
    await writes.clinicians.deleteMany(clinicians.map((clinician) => clinician._id));
    await writes.clinic.delete();
    await writes.clinic.releaseShareCodes();
  }

  /** `[]` when the clinic has none; 404 when there is no clinic. */
  async listMembershipRestrictions(clinicId: string): Promise<MembershipRestriction[]> {
    const clinic = await this.requireClinic(clinicId);
    return (clinic.membershipRestrictions ?? []).map(toMembershipRestriction);
  }

  /** ListMembershipRestrictions: `{restrictions}`, or `{}` when there are none. */
  async getMembershipRestrictions(clinicId: string): Promise<MembershipRestrictionsDto> {
    const restrictions = await this.listMembershipRestrictions(clinicId);
    return restrictions.length > 0 ? { restrictions } : {};
  }

  /** Replaces the whole list; an absent or empty list clears it. Answers the stored list. */
  async updateMembershipRestrictions(
    clinicId: string,
    input: { restrictions?: MembershipRestriction[] },
  ): Promise<MembershipRestrictionsDto> {
    const restrictions = input.restrictions?.length ? input.restrictions.map(toMembershipRestriction) : null;
    const updated = await this.gate.run(clinicId, (writes) => writes.clinic.setMembershipRestrictions(restrictions));
    if (!updated) throw ClinicErrors.clinicNotFound();
    return this.getMembershipRestrictions(clinicId);
  }

  /** The stored clinic, or 404 `clinic not found`. */
  async requireClinic(clinicId: string): Promise<ClinicRecord> {
    const clinic = await this.clinics.findById(clinicId);
    if (!clinic) throw ClinicErrors.clinicNotFound();
    return clinic;
  }

  /**
   * `clinic.v1` for stored clinics, with live patient counts per tag and site: two aggregations over
   * `patients` for the whole batch (none when no clinic has tags or sites), whatever the number of tags.
   */
  async describe(clinics: ClinicRecord[]): Promise<ClinicResponse[]> {
    const withTags = clinics.filter((clinic) => clinic.patientTags?.length).map((clinic) => clinic._id);
    const withSites = clinics.filter((clinic) => clinic.sites?.length).map((clinic) => clinic._id);
    const [tags, sites] = await Promise.all([this.patients.countByTag(withTags), this.patients.countBySite(withSites)]);
    return clinics.map((clinic) => toClinicResponse(clinic, { tags, sites }));
  }

  /**
   * The configured demo patient's record, read from the user directory before any gate is entered;
   * undefined when none is configured. A configured user that does not exist is a configuration error.
   */
  private async demoPatient(): Promise<NewPatientRecord | undefined> {
    const userId = this.config.demoPatientUserId;
    if (!userId) return undefined;
    const found = await this.directory.getUserWithProfile(userId);
    if (!found) throw new Error(`the demo patient user ${userId} (DEMO_PATIENT_USER_ID) does not exist`);
    const { user, profile } = found;
    return {
      userId,
      ...patientFieldsFromUser(user, profile),
      requireUniqueMrn: false,
      permissions: { view: {} },
      isMigrated: true,
    };
  }

  /**
   * A new clinic with the creator as its first admin. The creator's profile (and the demo patient's)
   * is read before any gate is entered (no remote call while holding one). Creations are written in
   * batches: one batch at a time, and the creations that arrive while a batch is written form the next.
   */
  private createClinicWithAdmin(
    creator: UserWithProfile,
    profile: Partial<NewClinic>,
    demoPatient?: NewPatientRecord,
  ): Promise<ClinicRecord> {
    return this.creations.submit(NEW_CLINICS, { creator, profile, demoPatient });
  }

  /**
   * Creates a batch of clinics inside the gates of their new ids, one insert command per collection
   * for the whole batch: the share codes ({@link insertWithUniqueShareCodes}), the clinics (each
   * creator already listed in `admins`), the creators' admin clinician records, the demo patients if
   * any. When a later write of a clinic fails its earlier ones are removed again, so no clinic is left
   * whose listed admin has no record; that creation gets the error, the others their clinic.
   */
  private createClinicsWithAdmins(creations: ClinicCreation[]): Promise<Array<BatchOutcome<ClinicRecord>>> {
    return this.gate.runNewClinics(creations.length, async (writes) => {
      const outcomes = await insertWithUniqueShareCodes(creations.length, {
        generate: () => this.shareCodes.generate(),
        insert: (entries) =>
          this.insertClinics(
            entries.map(({ index, code }) => ({ writes: writes[index], creation: creations[index], code })),
          ),
      });
      const created = indexesOfValues(outcomes);
      const admins = await CliniciansWriter.insertEach(
        created.map((index) => writes[index].clinicians),
        created.map((index) => {
          const { user, profile } = creations[index].creator;
          return {
            userId: user.userId,
            email: user.emails[0],
            name: profile?.fullName || null,
            roles: [ClinicianRole.CLINIC_ADMIN],
          };
        }),
      );
      const failed: Array<{ index: number; error: unknown; admin?: ClinicianRecord }> = [];
      const withAdmin: Array<{ index: number; admin: ClinicianRecord }> = [];
      admins.forEach((admin, position) => {
        const index = created[position];
        if ('error' in admin) failed.push({ index, error: admin.error });
        else withAdmin.push({ index, admin: admin.value });
      });
      const withDemo = withAdmin.filter(({ index }) => creations[index].demoPatient);
      const demos = await PatientsWriter.insertEach(
        withDemo.map(({ index }) => writes[index].patients),
        withDemo.map(({ index }) => creations[index].demoPatient!),
      );
      demos.forEach((demo, position) => {
        if ('error' in demo) failed.push({ ...withDemo[position], error: demo.error });
      });
      await Promise.all(failed.map(({ index, admin }) => this.removeCreatedClinic(writes[index], admin)));
      for (const { index, error } of failed) outcomes[index] = { error };
      return outcomes;
    });
  }

  /** Registers the share codes and inserts the clinics under them; a clinic that failed frees its code. */
  private async insertClinics(
    entries: Array<{ writes: ClinicWrites; creation: ClinicCreation; code: string }>,
  ): Promise<Array<BatchOutcome<ClinicRecord>>> {
    const claims = await ClinicsWriter.registerShareCodes(
      entries.map(({ writes }) => writes.clinic),
      entries.map(({ code }) => code),
    );
    const claimed = indexesOfValues(claims);
    const inserted = await ClinicsWriter.insertEach(
      claimed.map((position) => entries[position].writes.clinic),
      claimed.map((position) => {
        const { creation, code } = entries[position];
        return {
          ...creation.profile,
          canonicalShareCode: code,
          shareCodes: [code],
          admins: [creation.creator.user.userId],
          // The demo patient counts as `demo`, never towards the plan limit.
          patientCount: creation.demoPatient ? { total: 1, demo: 1, plan: 0 } : { total: 0, demo: 0, plan: 0 },
          patientCountSettings: { hardLimit: { plan: DEFAULT_HARD_LIMIT_PLAN } },
        };
      }),
    );
    const outcomes: Array<BatchOutcome<ClinicRecord>> = claims.map((claim) =>
      'error' in claim ? claim : { error: undefined },
    );
    inserted.forEach((outcome, position) => (outcomes[claimed[position]] = outcome));
    const refused = claimed.filter((_, position) => 'error' in inserted[position]);
    await Promise.all(refused.map((position) => entries[position].writes.clinic.releaseShareCodes()));
    return outcomes;
  }

  /** Removes what was written of a clinic whose creation failed part-way. */
  private async removeCreatedClinic(writes: ClinicWrites, admin?: ClinicianRecord): Promise<void> {
    const steps: Array<Promise<unknown>> = [writes.clinic.delete(), writes.clinic.releaseShareCodes()];
    if (admin) steps.push(writes.clinicians.deleteMany([admin._id]));
    await Promise.all(steps).catch((cleanupError: unknown) => {
      this.logger.error({ err: cleanupError }, 'could not remove a clinic whose creation failed part-way');
    });
  }
}

interface ClinicCreation {
  creator: UserWithProfile;
  profile: Partial<NewClinic>;
  demoPatient?: NewPatientRecord;
}

/** The key of the one queue of clinic creations. */
const NEW_CLINICS = 'new clinics';

/** The positions of the outcomes that have a value. */
function indexesOfValues<T>(outcomes: Array<BatchOutcome<T>>): number[] {
  return outcomes.flatMap((outcome, index) => ('value' in outcome ? [index] : []));
}

/** The stored form of the client-settable fields; absent ones stay absent. */
function profileOf(input: ClinicInput): Partial<NewClinic> {
  const profile: Partial<NewClinic> = {
    name: input.name,
    preferredBgUnits: input.preferredBgUnits,
    clinicType: input.clinicType,
    clinicSize: input.clinicSize,
    address: input.address,
    city: input.city,
    country: input.country,
    postalCode: input.postalCode,
    state: input.state,
    website: input.website,
    timezone: input.timezone ?? null,
    phoneNumbers: input.phoneNumbers?.map((phone) => ({
      ...(phone.type ? { type: phone.type } : {}),
      number: phone.number,
    })),
  };
  for (const key of Object.keys(profile) as Array<keyof NewClinic>) {
    if (profile[key] === undefined) delete profile[key];
  }
  return profile;
}
