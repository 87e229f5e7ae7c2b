import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TIDEPOOL_USER_ID_PATTERN } from '../../../../common/validation/patterns';
import { ClinicianRole } from '../../clinic.constants';
import type { ClinicianRecord } from '../clinician.schema';
import { ClinicResponse } from '../../clinics/dto/clinic-response.dto';

/** `clinician.v1` as returned. `id` is the clinician's user id; invites have an `inviteId` instead. */
export class ClinicianResponse {
  @ApiPropertyOptional({ pattern: TIDEPOOL_USER_ID_PATTERN.source, readOnly: true })
  id?: string;

  /** The id of the invite if it hasn't been accepted. */
  inviteId?: string;

  /** `""` when the record has none (service accounts). */
  @ApiProperty({ format: 'email' })
  email: string;

  @ApiPropertyOptional({ minLength: 1 })
  name?: string;

  @ApiProperty({ enum: ClinicianRole, enumName: 'ClinicianRole', isArray: true, minItems: 1, uniqueItems: true })
  roles: string[];

  @ApiProperty({ format: 'date-time', readOnly: true })
  createdTime: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  updatedTime: string;
}

/** `clinicianClinicRelationship.v1`. */
export class ClinicianClinicRelationship {
  clinician: ClinicianResponse;
  clinic: ClinicResponse;
}

export function toClinicianResponse(record: ClinicianRecord): ClinicianResponse {
  return {
    ...(record.userId ? { id: record.userId } : {}),
    ...(record.inviteId ? { inviteId: record.inviteId } : {}),
    email: record.email ?? '',
    ...(record.name ? { name: record.name } : {}),
    roles: record.roles ?? [],
    createdTime: record.createdTime.toISOString(),
    updatedTime: record.updatedTime.toISOString(),
  };
}
