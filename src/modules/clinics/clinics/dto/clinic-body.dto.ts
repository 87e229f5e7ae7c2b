import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, MinLength, ValidateNested } from 'class-validator';
import { IsArrayOfObjects, IsContractEnum, IsUri } from '../../../../common/validation/decorators';
import { OBJECT_ID_PATTERN } from '../../../../common/validation/patterns';
import { BgUnits, ClinicSize, ClinicType, SHARE_CODE_PATTERN } from '../../clinic.constants';
import { CLINIC_TIMEZONES } from '../clinic-timezones';
import { PatientTagResponse, PhoneNumberDto, SiteResponse, SuppressedNotificationsDto } from './clinic-response.dto';
import { HasOnlyProperties } from '../../dto/validation';

/**
 * `clinic.v1` as sent to CreateClinic and UpdateClinic. Read-only properties (id, shareCode, tier, …)
 * are documented as the contract has them but not validated and not used: the pipe drops them.
 * Only the fields listed in behavior-clinics.md §1.3/§1.7 are copied into the clinic.
 */
export class ClinicBody {
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source, readOnly: true, required: true })
  id?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  address?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  city?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  postalCode?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  state?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  country?: string;

  /** Managed through the patient tag operations; ignored here. */
  @ApiPropertyOptional({ type: [PatientTagResponse] })
  patientTags?: PatientTagResponse[];

  /** Managed through the site operations; ignored here. */
  @ApiPropertyOptional({ type: [SiteResponse] })
  sites?: SiteResponse[];

  @ApiPropertyOptional({ type: PatientTagResponse })
  lastDeletedPatientTag?: PatientTagResponse;

  @IsOptional()
  @IsArrayOfObjects(() => PhoneNumberDto, { minItems: 1, unique: true })
  @ApiPropertyOptional({ type: [PhoneNumberDto], minItems: 1, uniqueItems: true })
  phoneNumbers?: PhoneNumberDto[];

  @IsOptional()
  @IsIn(Object.values(ClinicType), { message: `clinicType must be one of: ${Object.values(ClinicType).join(', ')}` })
  @ApiPropertyOptional({ enum: ClinicType, enumName: 'ClinicType' })
  clinicType?: string;

  @IsOptional()
  @IsIn(Object.values(ClinicSize), { message: `clinicSize must be one of: ${Object.values(ClinicSize).join(', ')}` })
  @ApiPropertyOptional({ enum: ClinicSize, enumName: 'ClinicSize' })
  clinicSize?: string;

  /** At least one character (decisions.md §2). */
  @IsString()
  @MinLength(1)
  name: string;

  @ApiProperty({ pattern: SHARE_CODE_PATTERN.source, readOnly: true, required: true })
  shareCode?: string;

  @ApiProperty({ readOnly: true, required: true })
  canMigrate?: boolean;

  // `""` (a field left blank in Tidepool's web app) is accepted and kept (decisions.md §2).
  @IsUri({ optional: true })
  website?: string;

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  createdTime?: string;

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  updatedTime?: string;

  @ApiProperty({ readOnly: true, example: 'Free', required: true })
  tierDescription?: string;

  @ApiProperty({ readOnly: true, example: 'tier0100', required: true })
  tier?: string;

  @IsContractEnum(BgUnits, 'BgUnits')
  preferredBgUnits: string;

  /** Validated (no unknown keys) but not changed here; see UpdateSuppressedNotifications. */
  @IsOptional()
  @IsObject()
  @HasOnlyProperties(['patientClinicInvitation'])
  @ValidateNested()
  @Type(() => SuppressedNotificationsDto)
  suppressedNotifications?: SuppressedNotificationsDto;

  @IsOptional()
  @IsIn(CLINIC_TIMEZONES, { message: 'timezone must be a time zone of the contract (IANA name)' })
  @ApiPropertyOptional({ enum: CLINIC_TIMEZONES, enumName: 'ClinicTimezone' })
  timezone?: string;
}
