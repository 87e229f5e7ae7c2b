import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Types } from 'mongoose';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate, ClinicWrites } from '../clinic-write-gate';
import type { ClinicRecord, PendingPatientChange, SiteRecord } from '../clinics/clinic.schema';
import { ClinicsRepository, TagAndSiteChanges } from '../clinics/clinics.repository';
import type { PatientSiteRecord } from '../patients/patient.schema';
import { PatientLabelChange, PatientLabels, PatientsRepository } from '../patients/patients.repository';

/** Records rewritten per round trip when a site or tag change reaches the clinic's patients. */
const REWRITE_BATCH = 500;
/** Conditional clinic updates tried before a request gives up (only several MongoDB instances can collide). */
const ATTEMPTS = 5;

/** What a tag or site operation decided on the clinic as read; undefined: nothing to write. */
export type TagAndSiteDecision = (clinic: ClinicRecord) => TagAndSiteChanges | undefined;

export interface TagAndSiteOutcome {
  /** The clinic as read when the decision was taken. */
  before: ClinicRecord;
  changes: TagAndSiteChanges | undefined;
}

/**
 * Changes to a clinic's tags and sites, and the changes to its patients that follow them
 * (behavior-patients.md §20, §21; decisions.md §3: done by us, reliably).
 *
 * A change is written to the clinic in one conditional single-document update that also records the
 * patient change to follow ({@link PendingPatientChange}); the patients are then rewritten and the
 * record removed. A record left behind (a failure or a crash half-way) is carried out at the next
 * start-up, and before the clinic's next tag or site change. Carrying one out again is harmless, so
 * several instances resuming the same record is safe.
 */
@Injectable()
export class PatientChangesService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PatientChangesService.name);

  constructor(
    private readonly clinics: ClinicsRepository,
    private readonly patients: PatientsRepository,
    private readonly gate: ClinicWriteGate,
  ) {}

  /**
   * Start-up: finishes what earlier runs left undone, one clinic at a time, before requests are served.
   * A failure does not stop the service: it is logged, and the change is retried before the clinic's
   * next tag or site change or at the next start-up.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.resumeAll();
    } catch (error) {
      this.logger.error({ err: error }, 'could not look for pending patient changes');
    }
  }

  /** Carries out every pending patient change; how many clinics had some. A failure is logged and retried next time. */
  async resumeAll(): Promise<number> {
    const clinics = await this.clinics.findWithPendingPatientChanges();
    for (const clinic of clinics) {
      const clinicId = clinic._id.toHexString();
      try {
        await this.gate.run(clinicId, (writes) => this.finishPending(writes, clinicId));
        this.logger.log({ clinicId }, 'finished pending patient changes');
      } catch (error) {
        this.logger.error({ err: error, clinicId }, 'could not finish pending patient changes');
      }
    }
    return clinics.length;
  }

  /**
   * In the clinic's gate: finishes pending patient changes, then decides on the clinic as read and
   * writes the decision conditionally (rereading and deciding again if the clinic changed meanwhile),
   * then carries out the patient change it records. 404 `clinic not found` when there is no clinic.
   */
  async change(writes: ClinicWrites, clinicId: string, decide: TagAndSiteDecision): Promise<TagAndSiteOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      const before = await this.finishPending(writes, clinicId);
      if (!before) throw ClinicErrors.clinicNotFound();
      const changes = decide(before);
      if (!changes) return { before, changes };
      if (await writes.clinic.changeTagsAndSites(before, changes)) {
        if (changes.pending) await this.carryOut(writes, clinicId, changes.pending);
        return { before, changes };
      }
      if (attempt >= ATTEMPTS) throw ClinicErrors.concurrentModification();
    }
  }

  /** In the clinic's gate: carries out the clinic's pending patient changes, oldest first; the clinic afterwards. */
  async finishPending(writes: ClinicWrites, clinicId: string): Promise<ClinicRecord | null> {
    const clinic = await this.clinics.findById(clinicId);
    if (!clinic?.pendingPatientChanges?.length) return clinic;
    for (const change of clinic.pendingPatientChanges) await this.carryOut(writes, clinicId, change);
    return this.clinics.findById(clinicId);
  }

  private async carryOut(writes: ClinicWrites, clinicId: string, change: PendingPatientChange): Promise<void> {
    switch (change.kind) {
      case 'removeTag':
        await writes.patients.removeTag(change.tagId);
        break;
      case 'removeSite':
        await this.rewrite(writes, clinicId, { siteId: change.siteId }, (record) => ({
          userId: record.userId,
          sites: withoutSite(record.sites, change.siteId),
        }));
        break;
      case 'renameSite':
        await this.rewrite(writes, clinicId, { siteId: change.siteId }, (record) => ({
          userId: record.userId,
          sites: (record.sites ?? []).map((site) =>
            sameId(site.id, change.siteId) ? { id: site.id, name: change.name } : site,
          ),
        }));
        break;
      case 'mergeSite':
        await this.rewrite(writes, clinicId, { siteId: change.siteId }, (record) => ({
          userId: record.userId,
          sites: withSite(withoutSite(record.sites, change.siteId), change.target),
        }));
        break;
      case 'convertTag':
        await this.rewrite(writes, clinicId, { tagId: change.tagId }, (record) => ({
          userId: record.userId,
          tags: (record.tags ?? []).filter((tag) => !sameId(tag, change.tagId)),
          sites: withSite(record.sites ?? [], change.site),
        }));
        break;
    }
    await writes.clinic.removePendingPatientChange(change);
  }

  /** Rewrites, batch by batch in `_id` order, the records holding the tag or site. */
  private async rewrite(
    writes: ClinicWrites,
    clinicId: string,
    label: { tagId: Types.ObjectId } | { siteId: Types.ObjectId },
    rewrite: (record: PatientLabels) => PatientLabelChange,
  ): Promise<void> {
    let after: Types.ObjectId | undefined;
    for (;;) {
      const batch = await this.patients.listLabelsWith(clinicId, label, after, REWRITE_BATCH);
      if (batch.length === 0) return;
      await writes.patients.setLabels(batch.map(rewrite));
      if (batch.length < REWRITE_BATCH) return;
      after = batch[batch.length - 1]._id;
    }
  }
}

function sameId(a: Types.ObjectId | string | undefined, b: Types.ObjectId | string): boolean {
  return a !== undefined && String(a) === String(b);
}

function withoutSite(sites: PatientSiteRecord[] | undefined, siteId: Types.ObjectId): PatientSiteRecord[] {
  return (sites ?? []).filter((site) => !sameId(site.id, siteId));
}

function withSite(sites: PatientSiteRecord[], site: SiteRecord): PatientSiteRecord[] {
  return sites.some((existing) => sameId(existing.id, site.id)) ? sites : [...sites, { id: site.id, name: site.name }];
}
