import type { ClinicRecord } from '../clinics/clinic.schema';
import { resolvePatientCountSettings } from '../clinics/clinic-settings.service';

/** The plan limit in force for custodial creations now, or undefined when there is none (§14.2). */
export function activeHardLimit(clinic: ClinicRecord, now: Date = new Date()): number | undefined {
  const limit = resolvePatientCountSettings(clinic).hardLimit;
  if (!limit) return undefined;
  if (limit.startDate && now.getTime() < new Date(limit.startDate).getTime()) return undefined;
  if (limit.endDate && now.getTime() > new Date(limit.endDate).getTime()) return undefined;
  return limit.plan;
}
