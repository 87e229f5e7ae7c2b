import { registerAs } from '@nestjs/config';
import { Expose } from 'class-transformer';
import { IsOptional, Matches } from 'class-validator';
import { TIDEPOOL_USER_ID_PATTERN } from '../common/validation/patterns';
import { validateSection } from './validate-section';

class ClinicsEnvironment {
  /**
   * A user added to every new clinic as a view-only demo patient (counted as `demo`, not towards the
   * plan limit). Unset: clinics start without one.
   */
  @Expose()
  @IsOptional()
  @Matches(TIDEPOOL_USER_ID_PATTERN, { message: 'must be a Tidepool user id (10 hex characters or a UUID)' })
  DEMO_PATIENT_USER_ID?: string;
}

export interface ClinicsConfig {
  demoPatientUserId?: string;
}

export function loadClinicsConfig(): ClinicsConfig {
  const env = validateSection(ClinicsEnvironment);
  return { demoPatientUserId: env.DEMO_PATIENT_USER_ID };
}

export const clinicsConfig = registerAs('clinics', loadClinicsConfig);
