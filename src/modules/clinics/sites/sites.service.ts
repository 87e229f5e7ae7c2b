import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { ClinicWriteGate } from '../clinic-write-gate';
import type { SiteRecord } from '../clinics/clinic.schema';
import { PatientChangesService } from '../patient-changes/patient-changes.service';
import { PatientsRepository } from '../patients/patients.repository';
import type { SiteResult } from './dto/site.dto';
import { MAX_SITES, SiteErrors, siteNameKey } from './site-errors';

/**
 * A clinic's sites (behavior-patients.md §21). Names are unique case-insensitively and a clinic
 * creates at most 50; both are checked on the clinic as read inside its write gate and written with a
 * conditional update. Renames, deletions and merges reach every patient's copy of the site, reliably
 * (see {@link PatientChangesService}), so no patient keeps a site the clinic no longer has.
 */
@Injectable()
export class SitesService {
  constructor(
    private readonly patients: PatientsRepository,
    private readonly changes: PatientChangesService,
    private readonly gate: ClinicWriteGate,
  ) {}

  /** 409 for a name the clinic has (checked first), 422 at 50 sites, 404 without a clinic. */
  async createSite(clinicId: string, name: string): Promise<SiteResult> {
    const site: SiteRecord = { id: new Types.ObjectId(), name };
    await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const sites = clinic.sites ?? [];
        if (sites.some((other) => siteNameKey(other.name) === siteNameKey(name))) throw SiteErrors.duplicateSite();
        if (sites.length >= MAX_SITES) throw SiteErrors.tooManySites();
        return { sites: [...sites, site] };
      }),
    );
    return { id: site.id.toHexString(), name };
  }

  /**
   * Renames the site on the clinic and on every patient. Renaming to its own name or a case variant
   * of it is allowed; another site's name is 409 (checked first); an unknown site is 422.
   */
  async updateSite(clinicId: string, siteId: string, name: string): Promise<SiteResult> {
    const id = new Types.ObjectId(siteId);
    await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const sites = clinic.sites ?? [];
        const others = sites.filter((site) => String(site.id) !== siteId);
        if (others.some((other) => siteNameKey(other.name) === siteNameKey(name))) {
          throw SiteErrors.duplicateSiteOnUpdate();
        }
        if (others.length === sites.length) throw SiteErrors.unknownSite();
        return {
          sites: sites.map((site) => (String(site.id) === siteId ? { id: site.id, name } : site)),
          pending: { id: new Types.ObjectId(), kind: 'renameSite', siteId: id, name },
        };
      }),
    );
    return this.result(clinicId, { id, name });
  }

  /** Removes the site from the clinic and from every patient. 404 `clinic not found` for an unknown site. */
  async deleteSite(clinicId: string, siteId: string): Promise<void> {
    const id = new Types.ObjectId(siteId);
    await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const sites = clinic.sites ?? [];
        const remaining = sites.filter((site) => String(site.id) !== siteId);
        if (remaining.length === sites.length) throw SiteErrors.deleteNotFound();
        return { sites: remaining, pending: { id: new Types.ObjectId(), kind: 'removeSite', siteId: id } };
      }),
    );
  }

  /**
   * Merges the source site (`sourceId`) into the target (`targetId`): the source's patients get the
   * target (once) and lose the source, and the source is deleted. Answers the target with its new count.
   */
  async mergeSite(clinicId: string, targetId: string, sourceId: string): Promise<SiteResult> {
    if (targetId === sourceId) throw SiteErrors.mergeIntoItself();
    const { before } = await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const sites = clinic.sites ?? [];
        const target = sites.find((site) => String(site.id) === targetId);
        if (!target) throw SiteErrors.targetNotFound();
        const remaining = sites.filter((site) => String(site.id) !== sourceId);
        if (remaining.length === sites.length) throw SiteErrors.sourceNotFound();
        return {
          sites: remaining,
          pending: {
            id: new Types.ObjectId(),
            kind: 'mergeSite',
            siteId: new Types.ObjectId(sourceId),
            target: { id: target.id, name: target.name },
          },
        };
      }),
    );
    const target = (before.sites ?? []).find((site) => String(site.id) === targetId) as SiteRecord;
    return this.result(clinicId, target);
  }

  /** How many of the clinic's patients are at the site. */
  async countPatients(clinicId: string, siteId: Types.ObjectId): Promise<number> {
    return this.patients.countWithSite(clinicId, siteId);
  }

  private async result(clinicId: string, site: SiteRecord): Promise<SiteResult> {
    const patients = await this.countPatients(clinicId, new Types.ObjectId(String(site.id)));
    return { id: String(site.id), name: site.name, ...(patients > 0 ? { patients } : {}) };
  }
}
