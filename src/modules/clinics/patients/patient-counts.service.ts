import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { clinicsConfig } from '../../../config/clinics.config';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate, ClinicWrites } from '../clinic-write-gate';
import type { ClinicRecord } from '../clinics/clinic.schema';
import { ClinicsRepository } from '../clinics/clinics.repository';
import {
  isCurrentPatientCount,
  patientCountIncrement,
  toPatientCountValues,
  type CountedPatient,
} from './patient-counts';
import { PatientCountValues, PatientsRepository } from './patients.repository';

/**
 * The patient counts stored on each clinic (`patientCount`, behavior-patients.md §14.2). Every write
 * that adds, removes or reclassifies a patient adjusts them in the same gated run with one `$inc`
 * (atomic on MongoDB); a recount (count queries, no `$facet`) replaces them when asked
 * (RefreshPatientCount), when they are missing or in an older form, or when an increment cannot be
 * expressed as field paths.
 */
@Injectable()
export class PatientCountsService {
  constructor(
    private readonly patients: PatientsRepository,
    private readonly clinics: ClinicsRepository,
    private readonly gate: ClinicWriteGate,
    @Inject(clinicsConfig.KEY) private readonly config: ConfigType<typeof clinicsConfig>,
  ) {}

  /** The configured demo patient's user id, if any. */
  get demoUserId(): string | undefined {
    return this.config.demoPatientUserId;
  }

  /** The `$inc` amounts of a change (see {@link patientCountIncrement}). */
  increment(before: CountedPatient | undefined, after: CountedPatient | undefined): Record<string, number> | undefined {
    return patientCountIncrement(before, after, this.demoUserId);
  }

  /** Inside the clinic's gate, after a record changed from `before` to `after` (absent: created or deleted). */
  async apply(
    writes: ClinicWrites,
    clinicId: string,
    before: CountedPatient | undefined,
    after: CountedPatient | undefined,
  ): Promise<void> {
    const amounts = this.increment(before, after);
    if (amounts !== undefined && Object.keys(amounts).length === 0) return;
    if (amounts === undefined || !(await writes.clinic.adjustPatientCount(amounts))) {
      await this.recount(writes, clinicId);
    }
  }

  /** Inside the clinic's gate: recomputes and stores the counts. */
  async recount(writes: ClinicWrites, clinicId: string): Promise<PatientCountValues> {
    const values = await this.patients.countPatients(clinicId, this.demoUserId);
    await writes.clinic.setPatientCount(values);
    return values;
  }

  /** Inside the clinic's gate: makes sure the stored counts are in the current form before they are used. */
  async ensureCurrent(writes: ClinicWrites, clinic: ClinicRecord): Promise<void> {
    if (!isCurrentPatientCount(clinic.patientCount)) await this.recount(writes, clinic._id.toHexString());
  }

  /** GetPatientCount: the stored counts, recounted first when missing or in an older form. 404 without a clinic. */
  async getPatientCount(clinicId: string): Promise<PatientCountValues> {
    const clinic = await this.clinics.findById(clinicId);
    if (!clinic) throw ClinicErrors.clinicNotFound();
    if (isCurrentPatientCount(clinic.patientCount)) return toPatientCountValues(clinic.patientCount);
    return this.refresh(clinicId);
  }

  /** RefreshPatientCount. 404 without a clinic. */
  async refresh(clinicId: string): Promise<PatientCountValues> {
    if (!(await this.clinics.findById(clinicId))) throw ClinicErrors.clinicNotFound();
    return this.gate.run(clinicId, (writes) => this.recount(writes, clinicId));
  }
}
