import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { IsArrayOfObjects } from '../../../../common/validation/decorators';
import { OBJECT_ID_PATTERN, TIDEPOOL_USER_ID_PATTERN } from '../../../../common/validation/patterns';
import {
  DataSourceDto,
  DIAGNOSIS_TYPE_VALUES,
  GlycemicRangesDto,
  PatientPermissionsDto,
  PatientReviewDto,
  PatientSiteDto,
  ProviderConnectionRequestsDto,
} from './patient-parts.dto';
import { PatientSummaryResponse } from './patient-response.dto';

const BIRTH_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date `YYYY-MM-DD` (`format: date`). */
function IsCalendarDate(): PropertyDecorator {
  return ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown): boolean => {
        const match = typeof value === 'string' ? BIRTH_DATE.exec(value) : null;
        if (!match) return false;
        const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
        return date.toISOString().startsWith(value as string);
      },
      defaultMessage: (args) => `${args?.property ?? 'value'} must be a date YYYY-MM-DD`,
    },
  });
}

const isPresent = (value: unknown): boolean => value !== undefined && value !== null && value !== '';

/**
 * `patient.v1` as sent to CreatePatientAccount and UpdatePatient. `fullName` and `birthDate` are
 * required (an empty body is refused, unlike the established service). Read-only properties are
 * documented as the contract has them but not validated and not used: the pipe drops them.
 */
export class PatientBody {
  @ApiProperty({ pattern: TIDEPOOL_USER_ID_PATTERN.source, readOnly: true, required: true })
  id?: string;

  /** Lower-cased when stored; the format is checked only when non-empty. */
  @IsOptional()
  @IsString()
  @ValidateIf((body: PatientBody) => isPresent(body.email))
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @ApiPropertyOptional({ format: 'email' })
  email?: string;

  @IsString()
  @MinLength(1)
  @ApiProperty({ minLength: 1 })
  fullName: string;

  @IsCalendarDate()
  @ApiProperty({ format: 'date', example: '2012-08-30' })
  birthDate: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @ApiPropertyOptional({ minLength: 1 })
  mrn?: string;

  /** Tag ids (not checked against the clinic's tags). */
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @Matches(OBJECT_ID_PATTERN, { each: true, message: 'each value in tags must be a 24-character hexadecimal id' })
  @ApiPropertyOptional({ type: [String], nullable: true, uniqueItems: true })
  tags?: string[] | null;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @ApiPropertyOptional({ type: [String] })
  targetDevices?: string[];

  /** Ignored: a custodial account's patient always gets every permission. */
  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: PatientPermissionsDto })
  permissions?: PatientPermissionsDto;

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  createdTime?: string;

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  updatedTime?: string;

  /** Accepted and ignored. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional()
  attestationSubmitted?: boolean;

  @IsOptional()
  @IsArrayOfObjects(() => DataSourceDto)
  @ApiPropertyOptional({ type: [DataSourceDto], nullable: true })
  dataSources?: DataSourceDto[] | null;

  @ApiPropertyOptional({ format: 'date-time', readOnly: true })
  lastUploadReminderTime?: string;

  @ApiPropertyOptional({ type: PatientSummaryResponse, readOnly: true })
  summary?: PatientSummaryResponse;

  @IsOptional()
  @IsArrayOfObjects(() => PatientReviewDto)
  @ApiPropertyOptional({ type: [PatientReviewDto], nullable: true })
  reviews?: PatientReviewDto[] | null;

  @ApiProperty({ type: ProviderConnectionRequestsDto, readOnly: true, required: true })
  connectionRequests?: ProviderConnectionRequestsDto;

  /** Site ids; each must be a site of the clinic (names are taken from the clinic). */
  @IsOptional()
  @IsArrayOfObjects(() => PatientSiteDto)
  @ApiPropertyOptional({ type: [PatientSiteDto] })
  sites?: PatientSiteDto[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GlycemicRangesDto)
  @ApiPropertyOptional({ type: GlycemicRangesDto })
  glycemicRanges?: GlycemicRangesDto | null;

  @IsOptional()
  @IsIn(DIAGNOSIS_TYPE_VALUES, { message: `diagnosisType must be one of: ${DIAGNOSIS_TYPE_VALUES.join(', ')}` })
  @ApiPropertyOptional({ enum: DIAGNOSIS_TYPE_VALUES, enumName: 'DiagnosisType' })
  diagnosisType?: string | null;
}

/** `createPatient.v1` as sent to CreatePatientFromUser; every field optional. */
export class CreatePatientBody {
  /** Each granted key becomes `{}`; none: the record has no permissions. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PatientPermissionsDto)
  @ApiPropertyOptional({ type: PatientPermissionsDto })
  permissions?: PatientPermissionsDto;

  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional()
  isMigrated?: boolean;

  @IsOptional()
  @Matches(TIDEPOOL_USER_ID_PATTERN, { message: 'legacyClinicianId must be a Tidepool user id' })
  @ApiPropertyOptional({ pattern: TIDEPOOL_USER_ID_PATTERN.source, readOnly: true })
  legacyClinicianId?: string;

  /** Accepted and ignored. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional()
  attestationSubmitted?: boolean;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @ApiPropertyOptional({ minLength: 1 })
  fullName?: string;

  @IsOptional()
  @IsCalendarDate()
  @ApiPropertyOptional({ format: 'date', example: '2012-08-30' })
  birthDate?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  @ApiPropertyOptional({ minLength: 1 })
  mrn?: string;

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @Matches(OBJECT_ID_PATTERN, { each: true, message: 'each value in tags must be a 24-character hexadecimal id' })
  @ApiPropertyOptional({ type: [String], nullable: true, uniqueItems: true })
  tags?: string[] | null;

  /** Site ids; ones the clinic does not have are dropped. */
  @IsOptional()
  @IsArrayOfObjects(() => PatientSiteDto)
  @ApiPropertyOptional({ type: [PatientSiteDto] })
  sites?: PatientSiteDto[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GlycemicRangesDto)
  @ApiPropertyOptional({ type: GlycemicRangesDto })
  glycemicRanges?: GlycemicRangesDto | null;

  @IsOptional()
  @IsIn(DIAGNOSIS_TYPE_VALUES, { message: `diagnosisType must be one of: ${DIAGNOSIS_TYPE_VALUES.join(', ')}` })
  @ApiPropertyOptional({ enum: DIAGNOSIS_TYPE_VALUES, enumName: 'DiagnosisType' })
  diagnosisType?: string | null;
}
