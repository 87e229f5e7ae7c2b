import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsArrayOfObjects } from '../../../../common/validation/decorators';
import { OBJECT_ID_PATTERN, RFC3339_DATE_TIME_PATTERN } from '../../../../common/validation/patterns';

/** Contract enums of the patient area. */
export const DATA_SOURCE_STATES = ['pending', 'pendingReconnect', 'connected', 'disconnected', 'error'] as const;
export const GLYCEMIC_RANGES_TYPES = ['preset', 'custom'] as const;
export const GLYCEMIC_RANGES_PRESETS = [
  'adaStandard',
  'adaPregnancyType1',
  'adaPregnancyType2',
  'adaHighRisk',
] as const;
export const GLUCOSE_UNITS = ['mg/dL', 'mmol/L'] as const;
/** The diagnosis types a response shows (a stored `""` is left out). */
export const DIAGNOSIS_TYPES = [
  'type1',
  'type2',
  'type3c',
  'gestational',
  'prediabetes',
  'lada',
  'mody',
  'other',
  'notApplicable',
] as const;
/** What a request may send: the types above, or `""`. */
export const DIAGNOSIS_TYPE_VALUES = [...DIAGNOSIS_TYPES, ''] as const;

const DATE_TIME_MESSAGE = 'must be an RFC 3339 date-time with a time zone';

/** `patientPermissions.v1`: each granted permission is an object (its contents are discarded). */
export class PatientPermissionsDto {
  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  custodian?: Record<string, never>;

  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  view?: Record<string, never>;

  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  note?: Record<string, never>;

  @IsOptional()
  @IsObject()
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  upload?: Record<string, never>;
}

/** `dataSource.v1`. */
export class DataSourceDto {
  @IsIn(DATA_SOURCE_STATES, { message: `state must be one of: ${DATA_SOURCE_STATES.join(', ')}` })
  @ApiProperty({ enum: DATA_SOURCE_STATES, enumName: 'DataSourceState' })
  state: string;

  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @ApiProperty({ minLength: 1, maxLength: 100 })
  providerName: string;

  @IsOptional()
  @Matches(OBJECT_ID_PATTERN, { message: 'dataSourceId must be a 24-character lowercase hexadecimal id' })
  @ApiPropertyOptional({ pattern: OBJECT_ID_PATTERN.source, readOnly: true })
  dataSourceId?: string;

  @IsOptional()
  @Matches(RFC3339_DATE_TIME_PATTERN, { message: `modifiedTime ${DATE_TIME_MESSAGE}` })
  @ApiPropertyOptional({ format: 'date-time' })
  modifiedTime?: string;

  @IsOptional()
  @Matches(RFC3339_DATE_TIME_PATTERN, { message: `expirationTime ${DATE_TIME_MESSAGE}` })
  @ApiPropertyOptional({ format: 'date-time' })
  expirationTime?: string;

  @IsOptional()
  @Matches(RFC3339_DATE_TIME_PATTERN, { message: `latestDataTime ${DATE_TIME_MESSAGE}` })
  @ApiPropertyOptional({ format: 'date-time' })
  latestDataTime?: string;
}

/** `patientReview.v1`. */
export class PatientReviewDto {
  @IsString()
  @ApiProperty()
  clinicianId: string;

  @Matches(RFC3339_DATE_TIME_PATTERN, { message: `time ${DATE_TIME_MESSAGE}` })
  @ApiProperty({ format: 'date-time' })
  time: string;
}

/** `providerConnectionRequest.v1`. */
export class ProviderConnectionRequestDto {
  @ApiProperty({ format: 'date-time' })
  createdTime: string;

  @ApiProperty({ enum: ['dexcom', 'twiist', 'abbott'], enumName: 'ProviderId' })
  providerName: string;
}

/** `providerConnectionRequests.v1`: each provider's requests, newest first. */
export class ProviderConnectionRequestsDto {
  @ApiProperty({ type: [ProviderConnectionRequestDto] })
  twiist: ProviderConnectionRequestDto[];

  @ApiProperty({ type: [ProviderConnectionRequestDto] })
  dexcom: ProviderConnectionRequestDto[];

  @ApiProperty({ type: [ProviderConnectionRequestDto] })
  abbott: ProviderConnectionRequestDto[];
}

/** `site.v1` on a patient: the site's id (its name is taken from the clinic). */
export class PatientSiteDto {
  @Matches(OBJECT_ID_PATTERN, { message: 'id must be a 24-character lowercase hexadecimal id' })
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source })
  id: string;

  @IsOptional()
  @IsString()
  @ApiProperty({ minLength: 1, maxLength: 200 })
  name: string;

  /** Never in a patient's sites; in the contract's `site.v1`. */
  @ApiPropertyOptional({ type: 'integer', readOnly: true })
  numPatients?: number;
}

/** `glycemicRangesThresholdUpperBound.v1`. */
export class GlycemicRangesUpperBoundDto {
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @ApiProperty({ type: 'number', format: 'float' })
  value: number;

  @IsIn(GLUCOSE_UNITS, { message: `units must be one of: ${GLUCOSE_UNITS.join(', ')}` })
  @ApiProperty({ enum: GLUCOSE_UNITS, enumName: 'GlucoseUnits' })
  units: string;
}

/** `glycemicRangesThreshold.v1`. */
export class GlycemicRangesThresholdDto {
  @IsString()
  @MinLength(1)
  @ApiProperty({ minLength: 1 })
  name: string;

  @IsObject()
  @ValidateNested()
  @Type(() => GlycemicRangesUpperBoundDto)
  @ApiProperty({ type: GlycemicRangesUpperBoundDto })
  upperBound: GlycemicRangesUpperBoundDto;

  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ default: false })
  inclusive?: boolean;
}

/** `glycemicRangesCustom.v1`. */
export class GlycemicRangesCustomDto {
  @IsString()
  @MinLength(1)
  @ApiProperty({ minLength: 1 })
  name: string;

  @IsArrayOfObjects(() => GlycemicRangesThresholdDto)
  @ApiProperty({ type: [GlycemicRangesThresholdDto] })
  thresholds: GlycemicRangesThresholdDto[];
}

/** `glycemicRanges.v1`; the contract's defaults (`type: preset`, `preset: adaStandard`) apply when absent. */
export class GlycemicRangesDto {
  @IsOptional()
  @IsIn(GLYCEMIC_RANGES_TYPES, { message: `type must be one of: ${GLYCEMIC_RANGES_TYPES.join(', ')}` })
  @ApiProperty({ enum: GLYCEMIC_RANGES_TYPES, enumName: 'GlycemicRangesType', default: 'preset' })
  type: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => GlycemicRangesCustomDto)
  @ApiPropertyOptional({ type: GlycemicRangesCustomDto })
  custom?: GlycemicRangesCustomDto;

  @IsOptional()
  @IsIn(GLYCEMIC_RANGES_PRESETS, { message: `preset must be one of: ${GLYCEMIC_RANGES_PRESETS.join(', ')}` })
  @ApiPropertyOptional({ enum: GLYCEMIC_RANGES_PRESETS, enumName: 'GlycemicRangesPreset', default: 'adaStandard' })
  preset?: string;
}
