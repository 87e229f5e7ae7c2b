import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { CONFIRMATION_KEY_PATTERN } from '../../../../common/validation/patterns';
import { IsEmailAddress, IsTidepoolUserId } from '../../../../common/validation/decorators';
import { ClinicianRole } from '../../clinic.constants';

const ROLES = Object.values(ClinicianRole);

/**
 * `clinician.v1` as sent to CreateClinician and UpdateClinician. CreateClinician uses `id` (the user
 * id), `inviteId`, `email`, `name` and `roles`; UpdateClinician requires `email` but uses only
 * `name` and `roles`. The read-only times are documented as in the contract and dropped.
 */
export class ClinicianBody {
  @IsOptional()
  @IsTidepoolUserId()
  @ApiPropertyOptional()
  id?: string;

  /** The id of the invite if it hasn't been accepted. */
  @IsOptional()
  @Matches(CONFIRMATION_KEY_PATTERN, { message: 'inviteId must be a 32-character invite key' })
  @ApiPropertyOptional({ type: String })
  inviteId?: string;

  @IsEmailAddress()
  email: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  name?: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `each value in roles must be one of: ${ROLES.join(', ')}` })
  @ApiProperty({ enum: ClinicianRole, enumName: 'ClinicianRole', isArray: true, minItems: 1, uniqueItems: true })
  roles: string[];

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  createdTime?: string;

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  updatedTime?: string;
}

/** `associateClinicianToUser.v1`. */
export class AssociateClinicianToUserBody {
  @IsTidepoolUserId()
  userId: string;
}
