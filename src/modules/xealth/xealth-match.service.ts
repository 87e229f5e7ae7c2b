import { Injectable } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';
import { EhrErrorCode } from '../clinics/ehr/ehr-errors';
import { EhrPatientsService } from '../clinics/ehr/ehr-patients.service';
import { mrnIdTypeOf } from '../clinics/ehr/ehr-settings';
import { EhrSettingsService } from '../clinics/ehr/ehr-settings.service';
import type { ClinicRecord } from '../clinics/clinics/clinic.schema';
import type { PatientRecord } from '../clinics/patients/patient.schema';
import { criteriaOf, deploymentOf, XealthCriteria, XealthPatientRequest } from './xealth-criteria';
import { XealthErrors } from './xealth-errors';

export const XEALTH_PROVIDER = 'xealth';

export interface XealthMatch {
  clinic: ClinicRecord;
  criteria: XealthCriteria;
  /** The one matching record, if any. */
  patient?: PatientRecord;
}

/**
 * Clinic and patient matching shared by every Xealth operation (behavior-integrations.md §2.2): the
 * clinic whose enabled Xealth settings name the deployment (404 none, 409 several), the patient by
 * MRN — and birth date, except for pre-orders — within it (422 several).
 */
@Injectable()
export class XealthMatchService {
  constructor(
    private readonly ehrSettings: EhrSettingsService,
    private readonly ehrPatients: EhrPatientsService,
  ) {}

  findClinic(deployment: string): Promise<ClinicRecord> {
    return this.ehrSettings.findClinicBySource(XEALTH_PROVIDER, deployment);
  }

  /** The clinic, or undefined when no clinic matches (several still 409). */
  async findClinicIfAny(deployment: string): Promise<ClinicRecord | undefined> {
    try {
      return await this.findClinic(deployment);
    } catch (error) {
      if (ApiError.is(error, EhrErrorCode.NoMatchingClinic)) return undefined;
      throw error;
    }
  }

  /**
   * The patient described by `request` in `clinic`. `source` is where the demographics come from
   * (the request itself, or an order read from Xealth).
   */
  async matchPatient(
    clinic: ClinicRecord,
    source: XealthPatientRequest,
    options: { withBirthDate: boolean },
  ): Promise<XealthMatch> {
    const criteria = criteriaOf(source, mrnIdTypeOf(clinic.ehrSettings));
    const records = await this.ehrPatients.findMatches(clinic._id.toHexString(), {
      mrn: criteria.mrn,
      ...(options.withBirthDate ? { birthDate: criteria.birthDate } : {}),
    });
    if (records.length > 1) throw XealthErrors.multiplePatients();
    return { clinic, criteria, ...(records[0] ? { patient: records[0] } : {}) };
  }

  /** Clinic then patient, for a webhook request. */
  async match(request: XealthPatientRequest, options: { withBirthDate: boolean }): Promise<XealthMatch> {
    const clinic = await this.findClinic(deploymentOf(request));
    return this.matchPatient(clinic, request, options);
  }
}
