import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { IsArrayOfObjects, IsHostname, IsOptionalDateTime } from '../../../../common/validation/decorators';
import { SuppressedNotificationsDto } from './clinic-response.dto';
import { HasOnlyProperties } from '../../dto/validation';

/** `membershipRestriction.v1`. */
export class MembershipRestrictionDto {
  /** The restriction applies to users with an e-mail address in this domain. */
  @IsHostname()
  emailDomain: string;

  /** When set, the user must be signed in through this identity provider to join. */
  @IsOptional()
  @IsString()
  requiredIdp?: string;
}

/** `membershipRestrictions.v1` (UpdateMembershipRestrictions body, and both operations' response). */
export class MembershipRestrictionsDto {
  @IsOptional()
  @IsArrayOfObjects(() => MembershipRestrictionDto)
  restrictions?: MembershipRestrictionDto[];
}

/** `mrnSettings.v1`. */
export class MrnSettingsDto {
  /** Require an MRN when creating or updating patients. */
  @IsBoolean()
  required: boolean;

  /** Enforce MRN uniqueness within the clinic. */
  @IsBoolean()
  unique: boolean;
}

/** `patientCountLimit.v1`. */
export class PatientCountLimitDto {
  /** The plan-based patient count limit. */
  @IsInt()
  @Min(0)
  @ApiProperty({ type: 'integer', minimum: 0 })
  plan: number;

  /** When the limit starts to apply. */
  @IsOptionalDateTime()
  startDate?: string;

  /** When the limit stops applying. */
  @IsOptionalDateTime()
  endDate?: string;
}

/** `patientCountSettings.v1`. */
export class PatientCountSettingsDto {
  /** New patients cannot be created beyond it. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PatientCountLimitDto)
  hardLimit?: PatientCountLimitDto;

  /** Informational only. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PatientCountLimitDto)
  softLimit?: PatientCountLimitDto;
}

/** `UpdateSuppressedNotifications`. */
export class UpdateSuppressedNotificationsBody {
  @IsObject()
  @HasOnlyProperties(['patientClinicInvitation'])
  @ValidateNested()
  @Type(() => SuppressedNotificationsDto)
  @ApiProperty({ type: SuppressedNotificationsDto })
  suppressedNotifications: SuppressedNotificationsDto;
}
