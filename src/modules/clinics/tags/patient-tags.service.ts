import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate } from '../clinic-write-gate';
import type { PatientTagRecord, SiteRecord } from '../clinics/clinic.schema';
import { ClinicsRepository } from '../clinics/clinics.repository';
import type { PatientTagResponse } from '../clinics/dto/clinic-response.dto';
import { PatientChangesService } from '../patient-changes/patient-changes.service';
import { PatientsRepository } from '../patients/patients.repository';
import type { SiteResult } from '../sites/dto/site.dto';
import { freeSiteName, MAX_SITES, SiteErrors, siteNameKey } from '../sites/site-errors';
import { SitesService } from '../sites/sites.service';
import { MAX_PATIENT_TAGS, PatientTagErrors, patientTagKey } from './patient-tag-errors';

/**
 * A clinic's patient tags (behavior-patients.md §20). The rules — at most 50 tags, no two names alike
 * without spaces and case — are checked on the clinic as read inside its write gate and written with a
 * conditional update, so they hold under concurrent requests. Deleting a tag also removes it from the
 * clinic's patients, reliably (see {@link PatientChangesService}).
 */
@Injectable()
export class PatientTagsService {
  constructor(
    private readonly clinics: ClinicsRepository,
    private readonly patients: PatientsRepository,
    private readonly changes: PatientChangesService,
    private readonly sites: SitesService,
    private readonly gate: ClinicWriteGate,
  ) {}

  /** The name is trimmed. 422 at 50 tags, 409 for a duplicate name, 404 without a clinic. */
  async createPatientTag(clinicId: string, name: string): Promise<PatientTagResponse> {
    const tag: PatientTagRecord = { _id: new Types.ObjectId(), name: name.trim() };
    await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const tags = clinic.patientTags ?? [];
        if (tags.length >= MAX_PATIENT_TAGS) throw PatientTagErrors.tooManyTags();
        if (tags.some((other) => patientTagKey(other.name) === patientTagKey(tag.name))) {
          throw PatientTagErrors.duplicateTag();
        }
        return { patientTags: [...tags, tag] };
      }),
    );
    return { id: tag._id.toHexString(), name: tag.name };
  }

  /** Renames the tag (the name trimmed). 404 for an unknown tag, 409 when another tag has the name. */
  async updatePatientTag(clinicId: string, tagId: string, name: string): Promise<PatientTagResponse> {
    const trimmed = name.trim();
    await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const tags = clinic.patientTags ?? [];
        const index = tags.findIndex((tag) => String(tag._id) === tagId);
        if (index < 0) throw PatientTagErrors.tagNotFound();
        if (tags.some((other, i) => i !== index && patientTagKey(other.name) === patientTagKey(trimmed))) {
          throw PatientTagErrors.duplicateTag();
        }
        return { patientTags: tags.map((tag, i) => (i === index ? { _id: tag._id, name: trimmed } : tag)) };
      }),
    );
    const count = await this.patients.countWithTag(clinicId, new Types.ObjectId(tagId));
    return { id: tagId, name: trimmed, ...(count > 0 ? { numPatients: count } : {}) };
  }

  /**
   * Removes the tag from the clinic (recording it as `lastDeletedPatientTag`) and from every patient
   * of the clinic. An unknown tag is no error (its id is still cleared from the patients).
   */
  async deletePatientTag(clinicId: string, tagId: string): Promise<void> {
    const id = new Types.ObjectId(tagId);
    await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const tags = clinic.patientTags ?? [];
        const remaining = tags.filter((tag) => String(tag._id) !== tagId);
        return {
          ...(remaining.length < tags.length ? { patientTags: remaining } : {}),
          lastDeletedPatientTag: id,
          pending: { id: new Types.ObjectId(), kind: 'removeTag', tagId: id },
        };
      }),
    );
  }

  /**
   * Adds the tag to the clinic's patients: all of them (`userIds` undefined) or those listed (ids
   * that are not the clinic's patients are ignored). 404 when the clinic does not have the tag.
   */
  async assignPatientTag(clinicId: string, tagId: string, userIds: string[] | undefined): Promise<void> {
    await this.gate.run(clinicId, async (writes) => {
      const clinic = await this.changes.finishPending(writes, clinicId);
      if (!clinic) throw ClinicErrors.clinicNotFound();
      if (!(clinic.patientTags ?? []).some((tag) => String(tag._id) === tagId)) throw PatientTagErrors.tagNotFound();
      await writes.patients.addTag(new Types.ObjectId(tagId), userIds);
    });
  }

  /** Removes the tag from the clinic's patients: all of them (`userIds` undefined) or those listed. */
  async removePatientTag(clinicId: string, tagId: string, userIds: string[] | undefined): Promise<void> {
    await this.gate.run(clinicId, async (writes) => {
      if (!(await this.clinics.findById(clinicId))) throw ClinicErrors.clinicNotFound();
      await writes.patients.removeTag(new Types.ObjectId(tagId), userIds);
    });
  }

  /**
   * Replaces the tag by a site of the same name (`Name (2)`, `(3)`, … when taken): its patients get the
   * site and lose the tag, and the tag is deleted. 409 `conflict` at the site limit. The answer's
   * `patients` is the number of patients the tag had.
   */
  async convertPatientTagToSite(clinicId: string, tagId: string): Promise<SiteResult> {
    const id = new Types.ObjectId(tagId);
    const { changes } = await this.gate.run(clinicId, (writes) =>
      this.changes.change(writes, clinicId, (clinic) => {
        const tag = (clinic.patientTags ?? []).find((candidate) => String(candidate._id) === tagId);
        if (!tag) throw PatientTagErrors.unableToFindTag();
        const sites = clinic.sites ?? [];
        if (sites.length >= MAX_SITES) throw SiteErrors.conversionConflict();
        const name = freeSiteName(tag.name, new Set(sites.map((existing) => siteNameKey(existing.name))));
        const site: SiteRecord = { id: new Types.ObjectId(), name };
        return {
          patientTags: (clinic.patientTags ?? []).filter((candidate) => String(candidate._id) !== tagId),
          sites: [...sites, site],
          lastDeletedPatientTag: id,
          pending: { id: new Types.ObjectId(), kind: 'convertTag', tagId: id, site },
        };
      }),
    );
    const site = changes?.pending?.kind === 'convertTag' ? changes.pending.site : undefined;
    if (!site) throw PatientTagErrors.unableToFindTag();
    // The new site holds exactly the patients the tag had.
    const patients = await this.sites.countPatients(clinicId, site.id);
    return { id: site.id.toHexString(), name: site.name, ...(patients > 0 ? { patients } : {}) };
  }
}
