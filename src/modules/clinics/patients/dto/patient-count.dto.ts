import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { PatientCountValues } from '../patients.repository';

/** `patientProviderCount.v1`. */
export class PatientProviderCountResponse {
  @ApiProperty({ type: 'integer', minimum: 0 })
  total: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer', minimum: 0 } })
  states: Record<string, number>;
}

/** `patientCount.v1`. */
export class PatientCountResponse {
  /** All the clinic's patients. */
  @ApiProperty({ type: 'integer', minimum: 0 })
  total: number;

  /** The demo patient (0 or 1). */
  @ApiProperty({ type: 'integer', minimum: 0 })
  demo: number;

  /** Patients counted towards the plan limit (not the demo patient, none with a twiist data source). */
  @ApiProperty({ type: 'integer', minimum: 0 })
  plan: number;

  /** Non-demo patients per data source provider and state; left out when there are none. */
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: {
        total: { type: 'integer', minimum: 0 },
        states: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
      },
      required: ['total', 'states'],
    },
  })
  providers?: Record<string, PatientProviderCountResponse>;
}

export function toPatientCountResponse(values: PatientCountValues): PatientCountResponse {
  return {
    total: values.total,
    demo: values.demo,
    plan: values.plan,
    ...(Object.keys(values.providers).length > 0 ? { providers: values.providers } : {}),
  };
}
