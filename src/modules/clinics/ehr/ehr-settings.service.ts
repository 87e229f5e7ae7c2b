import { Injectable } from '@nestjs/common';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate } from '../clinic-write-gate';
import type { ClinicRecord } from '../clinics/clinic.schema';
import { ClinicsRepository } from '../clinics/clinics.repository';
import { ClinicsService } from '../clinics/clinics.service';
import type { ClinicResponse } from '../clinics/dto/clinic-response.dto';
import type { EhrProvider, EhrSettingsDto } from './dto/ehr-settings.dto';
import { EhrErrors } from './ehr-errors';
import { toEhrSettingsResponse, toStoredEhrSettings } from './ehr-settings';

/**
 * A clinic's EHR settings (behavior-integrations.md §1.7) and the clinic lookups of the EHR
 * integrations (Redox, Xealth): by source id for matching, by id for scheduling.
 */
@Injectable()
export class EhrSettingsService {
  constructor(
    private readonly clinics: ClinicsRepository,
    private readonly clinicsService: ClinicsService,
    private readonly gate: ClinicWriteGate,
  ) {}

  /** With the read defaults; 404 `clinic not found`, or `not found` when the clinic has no EHR settings. */
  async getEhrSettings(clinicId: string): Promise<EhrSettingsDto> {
    const clinic = await this.clinicsService.requireClinic(clinicId);
    if (!clinic.ehrSettings) throw EhrErrors.settingsNotFound();
    return toEhrSettingsResponse(clinic.ehrSettings);
  }

  /** The whole object replaces the stored one; answers what GetEHRSettings then answers. */
  async updateEhrSettings(clinicId: string, settings: EhrSettingsDto): Promise<EhrSettingsDto> {
    const stored = toStoredEhrSettings(settings);
    const updated = await this.gate.run(clinicId, (writes) => writes.clinic.setEhrSettings(stored));
    if (!updated) throw ClinicErrors.clinicNotFound();
    return toEhrSettingsResponse(stored);
  }

  /**
   * The one clinic whose enabled settings of `provider` name this source: 404 `couldn't find a
   * matching clinic` when none, 409 `multiple matching clinics found` when several.
   */
  async findClinicBySource(provider: EhrProvider, sourceId: string): Promise<ClinicRecord> {
    const found = await this.clinics.findEhrClinicsBySource(provider, sourceId, 2);
    if (found.length > 1) throw EhrErrors.multipleMatchingClinics();
    if (found.length === 0) throw EhrErrors.noMatchingClinic();
    return found[0];
  }

  /** The clinic, when its settings of `provider` are enabled; else 404 `couldn't find a matching clinic`. */
  async requireEnabledClinic(clinicId: string, provider: EhrProvider): Promise<ClinicRecord> {
    const clinic = await this.clinics.findById(clinicId);
    if (!clinic || !isEnabledFor(clinic, provider)) throw EhrErrors.noMatchingClinic();
    return clinic;
  }

  /** Those of the clinics whose settings of `provider` are enabled and ask for reports after each upload. */
  reportingOnUpload(clinics: ClinicRecord[], provider: EhrProvider): ClinicRecord[] {
    return clinics.filter(
      (clinic) => isEnabledFor(clinic, provider) && clinic.ehrSettings?.scheduledReports?.onUploadEnabled === true,
    );
  }

  /** The clinics with these ids (one read). */
  findClinics(clinicIds: Parameters<ClinicsRepository['findByIds']>[0]): Promise<ClinicRecord[]> {
    return this.clinics.findByIds(clinicIds);
  }

  /** `clinic.v1` of a stored clinic. */
  async describe(clinic: ClinicRecord): Promise<ClinicResponse> {
    return (await this.clinicsService.describe([clinic]))[0];
  }

  /** `ehrSettings.v1` of a stored clinic, with the read defaults (the clinic must have settings). */
  settingsOf(clinic: ClinicRecord): EhrSettingsDto {
    if (!clinic.ehrSettings) throw EhrErrors.settingsNotFound();
    return toEhrSettingsResponse(clinic.ehrSettings);
  }
}

function isEnabledFor(clinic: ClinicRecord, provider: EhrProvider): boolean {
  return clinic.ehrSettings?.enabled === true && clinic.ehrSettings.provider === provider;
}
