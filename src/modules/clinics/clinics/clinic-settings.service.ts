import { Injectable } from '@nestjs/common';
import { Tier } from '../clinic.constants';
import { ClinicErrors } from '../clinic-errors';
import { ClinicWriteGate } from '../clinic-write-gate';
import { ClinicsService } from './clinics.service';
import type { SuppressedNotificationsDto } from './dto/clinic-response.dto';
import type { MrnSettingsDto, PatientCountLimitDto, PatientCountSettingsDto } from './dto/clinic-settings.dto';
import type { ClinicRecord, PatientCountLimitRecord, PatientCountSettingsRecord } from './clinic.schema';

/** Countries whose clinics are subject to the plan limit; an unset country counts as the US (§1.14). */
const LIMITED_COUNTRIES = new Set(['', 'US']);

/** A clinic's settings: tier, suppressed notifications, MRN rules, patient count limits (§1.9–§1.14). */
@Injectable()
export class ClinicSettingsService {
  constructor(
    private readonly clinicsService: ClinicsService,
    private readonly gate: ClinicWriteGate,
  ) {}

  async updateTier(clinicId: string, tier: string): Promise<void> {
    const updated = await this.gate.run(clinicId, (writes) => writes.clinic.setTier(tier));
    if (!updated) throw ClinicErrors.clinicNotFound();
  }

  /** Replaces the whole object. */
  async updateSuppressedNotifications(clinicId: string, value: SuppressedNotificationsDto): Promise<void> {
    const stored =
      value.patientClinicInvitation === undefined ? {} : { patientClinicInvitation: value.patientClinicInvitation };
    const updated = await this.gate.run(clinicId, (writes) => writes.clinic.setSuppressedNotifications(stored));
    if (!updated) throw ClinicErrors.clinicNotFound();
  }

  /** 404 `not found` when the clinic has no MRN settings (callers read that as "MRN not required"). */
  async getMrnSettings(clinicId: string): Promise<MrnSettingsDto> {
    const clinic = await this.clinicsService.requireClinic(clinicId);
    if (!clinic.mrnSettings) throw ClinicErrors.notFound();
    return { required: clinic.mrnSettings.required === true, unique: clinic.mrnSettings.unique === true };
  }

  async updateMrnSettings(clinicId: string, settings: MrnSettingsDto): Promise<MrnSettingsDto> {
    const stored = { required: settings.required, unique: settings.unique };
    const updated = await this.gate.run(clinicId, (writes) => writes.clinic.setMrnSettings(stored));
    if (!updated) throw ClinicErrors.clinicNotFound();
    return stored;
  }

  /** The settings in force: the stored ones for US clinics on the free tier, `{}` (unlimited) otherwise. */
  async getPatientCountSettings(clinicId: string): Promise<PatientCountSettingsDto> {
    return resolvePatientCountSettings(await this.clinicsService.requireClinic(clinicId));
  }

  /**
   * Stores the settings as sent (an empty body removes the limits) and answers the settings in force,
   * which are `{}` for clinics the limits do not apply to.
   */
  async updatePatientCountSettings(
    clinicId: string,
    settings: PatientCountSettingsDto,
  ): Promise<PatientCountSettingsDto> {
    const stored: PatientCountSettingsRecord = {};
    if (settings.hardLimit) stored.hardLimit = toStoredLimit(settings.hardLimit);
    if (settings.softLimit) stored.softLimit = toStoredLimit(settings.softLimit);
    const updated = await this.gate.run(clinicId, (writes) => writes.clinic.setPatientCountSettings(stored));
    if (!updated) throw ClinicErrors.clinicNotFound();
    return this.getPatientCountSettings(clinicId);
  }
}

/** Plan ≥ 0 is checked by validation; a window that ends before it starts is `400 bad request`. */
function toStoredLimit(limit: PatientCountLimitDto): PatientCountLimitRecord {
  const startDate = limit.startDate ? new Date(limit.startDate) : undefined;
  const endDate = limit.endDate ? new Date(limit.endDate) : undefined;
  if (limit.plan < 0 || (startDate && endDate && startDate.getTime() > endDate.getTime())) {
    throw ClinicErrors.badRequest();
  }
  return { plan: limit.plan, ...(startDate ? { startDate } : {}), ...(endDate ? { endDate } : {}) };
}

export function resolvePatientCountSettings(clinic: ClinicRecord): PatientCountSettingsDto {
  const limited = LIMITED_COUNTRIES.has(clinic.country ?? '') && (!clinic.tier || clinic.tier === Tier.tier0100);
  const stored = clinic.patientCountSettings;
  if (!limited || !stored) return {};
  const resolved: PatientCountSettingsDto = {};
  if (stored.hardLimit) resolved.hardLimit = toLimitResponse(stored.hardLimit);
  if (stored.softLimit) resolved.softLimit = toLimitResponse(stored.softLimit);
  return resolved;
}

function toLimitResponse(limit: PatientCountLimitRecord): PatientCountLimitDto {
  // Older documents kept the plan under `patientCount`.
  const plan = !limit.plan && typeof limit.patientCount === 'number' ? limit.patientCount : (limit.plan ?? 0);
  return {
    plan,
    ...(limit.startDate ? { startDate: new Date(limit.startDate).toISOString() } : {}),
    ...(limit.endDate ? { endDate: new Date(limit.endDate).toISOString() } : {}),
  };
}
