import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Types } from 'mongoose';
import type { Principal } from '../../../auth/principal';
import { clinicsConfig } from '../../../config/clinics.config';
import { isDuplicateKeyError } from '../../../database/duplicate-key';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate, ClinicWrites } from '../clinic-write-gate';
import { ClinicianRole } from '../clinic.constants';
import type { ClinicRecord } from '../clinics/clinic.schema';
import { ClinicsRepository } from '../clinics/clinics.repository';
import { ClinicsService } from '../clinics/clinics.service';
import { PatientCountsService } from '../patients/patient-counts.service';
import type { PatientSiteRecord } from '../patients/patient.schema';
import { MergeErrors } from './merge-errors';
import { MergeFaults } from './merge-faults';
import { MERGE_STEPS, MergePlanRecord, MergeStep } from './merge-plan.schema';
import {
  MemberAction,
  MergePlan,
  planMerge,
  planSites,
  planTags,
  PlanClinician,
  PlanPatient,
  SiteAction,
  TagAction,
} from './merge-planner';
import { ClinicianCursor, MergePatient, MergesRepository, PatientCursor } from './merges.repository';

/** Patients and clinicians are read (and merged) in pages of this size. */
const PAGE_SIZE = 1000;
/** The most patient tags a clinic may have (behavior-patients.md §5). */
const MAX_PATIENT_TAGS = 50;

/** Tag names as the duplicate check compares them: lower-case, without any spaces. */
function tagKey(name: string): string {
  return name.toLowerCase().replace(/\s+/g, '');
}

interface MergeContext {
  header: MergePlanRecord;
  principal: Principal;
  sourceId: Types.ObjectId;
  targetId: Types.ObjectId;
  source: ClinicWrites;
  target: ClinicWrites;
}

/**
 * Clinic merges (behavior-clinics.md §1.16): the read-only plan (GenerateMergeReport) and its
 * execution (MergeClinic).
 *
 * Without transactions a merge is a journal of idempotent steps: the header in `merge_plans` is
 * written before anything changes and names the next step; each step computes its work from the
 * current state of both clinics, so repeating it after an interruption finishes it without doing
 * anything twice. A merge interrupted by a failure or a restart is resumed by repeating the request,
 * or at start-up. The merge holds both clinics' write gates (ascending ids) throughout.
 */
@Injectable()
export class MergesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(MergesService.name);

  constructor(
    private readonly clinics: ClinicsRepository,
    private readonly clinicsService: ClinicsService,
    private readonly merges: MergesRepository,
    private readonly counts: PatientCountsService,
    private readonly gate: ClinicWriteGate,
    private readonly faults: MergeFaults,
    @Inject(clinicsConfig.KEY) private readonly config: ConfigType<typeof clinicsConfig>,
  ) {}

  /**
   * Looks for merges a stop interrupted (one indexed read, awaited) and resumes them in the
   * background, so start-up does not wait for them; a failure is logged and left for the next start
   * or a repeated request.
   */
  async onApplicationBootstrap(): Promise<void> {
    const running = await this.merges.listRunning();
    if (running.length === 0) return;
    void this.resume(running).catch((error: unknown) => {
      this.logger.error({ err: error }, 'could not resume interrupted clinic merges');
    });
  }

  /** Resumes every interrupted merge, one after the other. */
  async resumeInterrupted(): Promise<void> {
    await this.resume(await this.merges.listRunning());
  }

  private async resume(headers: MergePlanRecord[]): Promise<void> {
    for (const header of headers) {
      if (!header.sourceId || !header.targetId) continue;
      const principal: Principal = { subjectId: header.startedBy ?? 'clinic', isServer: !header.startedBy };
      this.logger.log({ planId: header.planId }, 'resuming an interrupted clinic merge');
      await this.mergeClinic(principal, header.targetId, header.sourceId);
    }
  }

  /** GenerateMergeReport: the plan for merging `sourceId` into `targetId`. 404 when either is missing. */
  async planFor(targetId: string, sourceId: string): Promise<MergePlan> {
    if (targetId === sourceId) throw MergeErrors.sameClinic();
    const [target, source] = await Promise.all([this.clinics.findById(targetId), this.clinics.findById(sourceId)]);
    if (!target || !source) throw ClinicErrors.clinicNotFound();
    return this.plan(source, target);
  }

  /**
   * MergeClinic. A blocked plan → 400 before anything changes; so do a tag limit (422) or a tag name
   * clash (409). A merge of the same source already running elsewhere → 409; a source already merged
   * away → 404. Repeating the request after a failure finishes the merge.
   */
  async mergeClinic(principal: Principal, targetId: string, sourceId: string): Promise<void> {
    if (targetId === sourceId) throw MergeErrors.sameClinic();
    const running = await this.merges.findRunning(sourceId);
    if (running && running.targetId !== targetId) throw MergeErrors.running();
    const [first, second] = [sourceId, targetId].sort();
    await this.gate.run(first, (firstWrites) =>
      this.gate.run(second, async (secondWrites) => {
        const [source, target] = first === sourceId ? [firstWrites, secondWrites] : [secondWrites, firstWrites];
        await this.mergeInGates(principal, targetId, sourceId, source, target);
      }),
    );
  }

  private async mergeInGates(
    principal: Principal,
    targetId: string,
    sourceId: string,
    sourceWrites: ClinicWrites,
    targetWrites: ClinicWrites,
  ): Promise<void> {
    let header = await this.merges.findRunning(sourceId);
    if (header && header.targetId !== targetId) throw MergeErrors.running();
    const target = await this.clinics.findById(targetId);
    if (!target) throw ClinicErrors.clinicNotFound();
    if (!header) {
      const source = await this.clinics.findById(sourceId);
      if (!source) throw ClinicErrors.clinicNotFound();
      const plan = await this.plan(source, target);
      if (!plan.canExecute) throw MergeErrors.planBlocked();
      checkTagCreation(plan, target);
      try {
        header = await targetWrites.merges.startMerge({
          planId: new Types.ObjectId().toHexString(),
          sourceId,
          targetId,
          ...(principal.isServer ? {} : { startedBy: principal.subjectId }),
        });
      } catch (error) {
        if (isDuplicateKeyError(error)) throw MergeErrors.running();
        throw error;
      }
      // Counts are recounted at the end; meanwhile none are stored, so nothing reads stale ones.
      await targetWrites.clinic.clearPatientCount();
    }
    const context: MergeContext = {
      header,
      principal,
      sourceId: new Types.ObjectId(sourceId),
      targetId: new Types.ObjectId(targetId),
      source: sourceWrites,
      target: targetWrites,
    };
    // A resumed merge runs every step again rather than only those from `header.step` on: each step
    // skips what is already done, and so also carries over what was added to the source while the
    // merge stood interrupted (its gates were free then). `step` shows how far a merge got.
    for (let index = 0; index < MERGE_STEPS.length; index++) {
      const step = MERGE_STEPS[index];
      await this.runStep(step, context);
      if (index + 1 < MERGE_STEPS.length) await targetWrites.merges.setStep(header.planId, MERGE_STEPS[index + 1]);
      this.faults.afterStep(step);
    }
  }

  private runStep(step: MergeStep, context: MergeContext): Promise<void> {
    switch (step) {
      case MergeStep.Tags:
        return this.mergeTags(context);
      case MergeStep.Patients:
        return this.mergePatients(context);
      case MergeStep.Sites:
        return this.mergeSites(context);
      case MergeStep.Clinicians:
        return this.mergeClinicians(context);
      case MergeStep.Finalize:
        return this.finalize(context);
    }
  }

  /** The source's tags whose exact name the target lacks are added to the target. */
  private async mergeTags(context: MergeContext): Promise<void> {
    const { source, target } = await this.bothClinics(context);
    const plans = source ? planTags(source, target) : [];
    for (const plan of plans) {
      if (plan.action === TagAction.Create) {
        await context.target.merges.addTag({ _id: new Types.ObjectId(), name: plan.name });
      }
    }
    await context.target.merges.recordStep(context.header.planId, MergeStep.Tags, plans);
  }

  /**
   * Each source patient moves to the target (tags mapped by name, the target's MRN rule), or — when
   * the user is already a target patient — is merged into that record (tags united, sites added) and
   * deleted. Page by page; the next page starts after the last patient read, so moved records never
   * shift it.
   */
  private async mergePatients(context: MergeContext): Promise<void> {
    const { source, target } = await this.bothClinics(context);
    const counts = { [MemberAction.Move]: 0, [MemberAction.Merge]: 0 };
    if (source) {
      const sourceTagNames = new Map((source.patientTags ?? []).map((tag) => [tag._id.toHexString(), tag.name]));
      const targetTagNames = new Map((target.patientTags ?? []).map((tag) => [tag._id.toHexString(), tag.name]));
      const targetTagIds = new Map((target.patientTags ?? []).map((tag) => [tag.name, tag._id]));
      const namesOf = (tags: PlanPatient['tags'], names: Map<string, string>): string[] =>
        (tags ?? []).map((id) => names.get(id.toString())).filter((name): name is string => name !== undefined);
      const idsOf = (names: Iterable<string>): Types.ObjectId[] => {
        const ids = new Map<string, Types.ObjectId>();
        for (const name of names) {
          const id = targetTagIds.get(name);
          if (id) ids.set(id.toHexString(), id);
        }
        return [...ids.values()];
      };
      const requireUniqueMrn = target.mrnSettings?.unique ?? false;
      await this.forEachPatientPage(context.sourceId, async (page) => {
        const existing = await this.merges.patientsOfUsers(
          context.targetId,
          page.map((patient) => patient.userId),
        );
        const byUser = new Map(existing.map((patient) => [patient.userId, patient]));
        for (const patient of page) {
          const into = byUser.get(patient.userId);
          if (!into) {
            await context.target.merges.moveInPatient(
              context.sourceId,
              patient,
              idsOf(namesOf(patient.tags, sourceTagNames)),
              requireUniqueMrn,
            );
            counts[MemberAction.Move] += 1;
            continue;
          }
          const tags = idsOf(
            new Set([...namesOf(into.tags, targetTagNames), ...namesOf(patient.tags, sourceTagNames)]),
          );
          const sites: PatientSiteRecord[] = [...(into.sites ?? [])];
          for (const site of patient.sites ?? []) {
            if (!sites.some((held) => held.id.toString() === site.id.toString())) sites.push(site);
          }
          await context.target.merges.setPatientTagsAndSites(into._id, {
            ...(tags.length > 0 ? { tags } : {}),
            sites,
          });
          await context.source.patients.deleteByIds([patient._id]);
          counts[MemberAction.Merge] += 1;
        }
      });
    }
    await context.target.merges.recordStep(context.header.planId, MergeStep.Patients, counts);
  }

  /**
   * The source's sites are added to the target with their ids; a site whose name the target uses is
   * added under its new name, and the target's patients holding it (the moved and merged ones) get
   * that name too.
   */
  private async mergeSites(context: MergeContext): Promise<void> {
    const { source, target } = await this.bothClinics(context);
    const plans = source ? planSites(source, target).filter((plan) => plan.workspace === 'source') : [];
    const added = new Set((target.sites ?? []).map((site) => site.id.toHexString()));
    for (const plan of plans) {
      const id = new Types.ObjectId(plan.id);
      // Read, then written under the gate: FerretDB 1.24 does not take `$ne` on an array of documents' field as a condition.
      if (!added.has(plan.id)) await context.target.merges.addSite({ id, name: plan.resultingName });
      if (plan.action !== SiteAction.Rename) continue;
      for (const patient of await this.merges.patientsWithSite(context.targetId, id)) {
        const sites = (patient.sites ?? []).map((site) =>
          site.id.toString() === plan.id ? { ...site, name: plan.resultingName } : site,
        );
        await context.target.merges.setPatientTagsAndSites(patient._id, { sites });
      }
    }
    await context.target.merges.recordStep(context.header.planId, MergeStep.Sites, plans);
  }

  /**
   * Source clinicians who are also target clinicians lose their source record (the target's roles
   * stay); the others move with their roles, admins joining the target's `admins`.
   */
  private async mergeClinicians(context: MergeContext): Promise<void> {
    const counts = { [MemberAction.Move]: 0, [MemberAction.Merge]: 0 };
    let cursor: ClinicianCursor | undefined;
    for (;;) {
      const page = await this.merges.cliniciansPage(context.sourceId, cursor, PAGE_SIZE);
      if (page.length === 0) break;
      cursor = page[page.length - 1];
      const members = await this.merges.membersOfUsers(
        context.targetId,
        page.map((clinician) => clinician.userId).filter((userId): userId is string => !!userId),
      );
      const inTarget = new Set(members.map((member) => member.userId));
      const merged: PlanClinician[] = [];
      for (const clinician of page) {
        if (clinician.userId && inTarget.has(clinician.userId)) {
          merged.push(clinician);
          continue;
        }
        await context.target.merges.moveInClinician(context.sourceId, clinician);
        if (clinician.userId && clinician.roles.includes(ClinicianRole.CLINIC_ADMIN)) {
          await context.target.clinic.addAdmin(clinician.userId);
        }
        counts[MemberAction.Move] += 1;
      }
      await context.source.clinicians.deleteMany(merged.map((clinician) => clinician._id));
      counts[MemberAction.Merge] += merged.length;
      if (page.length < PAGE_SIZE) break;
    }
    await context.target.merges.recordStep(context.header.planId, MergeStep.Clinicians, counts);
  }

  /**
   * The source's share codes resolve to the target (registry first, then the target's `shareCodes`),
   * then the source clinic is deleted as DeleteClinic deletes it (demo patient and any remaining
   * clinician records archived and removed, the clinic archived), and the target recounted.
   */
  private async finalize(context: MergeContext): Promise<void> {
    const { source } = await this.bothClinics(context);
    if (source) {
      await context.target.merges.takeOverShareCodes(context.sourceId);
      await context.target.merges.addShareCodes(source.shareCodes);
      await this.clinicsService.deleteInGate(context.principal, context.sourceId.toHexString(), context.source);
    }
    await this.counts.recount(context.target, context.targetId.toHexString());
    await context.target.merges.recordStep(context.header.planId, MergeStep.Finalize, {
      sourceId: context.sourceId.toHexString(),
      shareCodes: source?.shareCodes ?? [],
    });
    await context.target.merges.completeMerge(context.header.planId);
  }

  /** Both clinics as they are now; the source is null once the merge deleted it. */
  private async bothClinics(context: MergeContext): Promise<{ source: ClinicRecord | null; target: ClinicRecord }> {
    const [source, target] = await Promise.all([
      this.clinics.findById(context.sourceId.toHexString()),
      this.clinics.findById(context.targetId.toHexString()),
    ]);
    if (!target) throw ClinicErrors.clinicNotFound();
    return { source, target };
  }

  /** The clinic's patients but the demo patient, page by page. */
  private async forEachPatientPage(
    clinicId: Types.ObjectId,
    work: (page: MergePatient[]) => Promise<void>,
  ): Promise<void> {
    const demoUserId = this.config.demoPatientUserId;
    let cursor: PatientCursor | undefined;
    for (;;) {
      const page = await this.merges.patientsPage(clinicId, cursor, PAGE_SIZE);
      if (page.length === 0) return;
      const last = page[page.length - 1];
      cursor = { fullNameKey: last.fullNameKey, _id: last._id };
      const patients = page.filter((patient) => patient.userId !== demoUserId);
      if (patients.length > 0) await work(patients);
      if (page.length < PAGE_SIZE) return;
    }
  }

  private async plan(source: ClinicRecord, target: ClinicRecord): Promise<MergePlan> {
    const load = async (clinicId: Types.ObjectId): Promise<MergePatient[]> => {
      const all: MergePatient[] = [];
      await this.forEachPatientPage(clinicId, (page) => {
        all.push(...page);
        return Promise.resolve();
      });
      return all;
    };
    const [sourcePatients, targetPatients, sourceClinicians, targetClinicians] = await Promise.all([
      load(source._id),
      load(target._id),
      this.allClinicians(source._id),
      this.allClinicians(target._id),
    ]);
    return planMerge({
      source,
      target,
      sourcePatients,
      targetPatients,
      sourceClinicians,
      targetClinicians,
      generatedTime: new Date(),
    });
  }

  private async allClinicians(clinicId: Types.ObjectId): Promise<PlanClinician[]> {
    const all: PlanClinician[] = [];
    let cursor: ClinicianCursor | undefined;
    for (;;) {
      const page = await this.merges.cliniciansPage(clinicId, cursor, PAGE_SIZE);
      all.push(...page);
      if (page.length < PAGE_SIZE) return all;
      cursor = page[page.length - 1];
    }
  }
}

/**
 * The tags a merge creates must fit the target's limit (422) and must not clash with the target's
 * tags or each other when compared without case and spaces (409) — checked before anything changes.
 */
function checkTagCreation(plan: MergePlan, target: ClinicRecord): void {
  const creates = plan.tags.filter((tag) => tag.action === TagAction.Create);
  if (creates.length === 0) return;
  const existing = target.patientTags ?? [];
  if (existing.length + creates.length > MAX_PATIENT_TAGS) throw MergeErrors.tooManyTags();
  const keys = new Set(existing.map((tag) => tagKey(tag.name)));
  for (const tag of creates) {
    const key = tagKey(tag.name);
    if (keys.has(key)) throw MergeErrors.duplicateTag();
    keys.add(key);
  }
}
