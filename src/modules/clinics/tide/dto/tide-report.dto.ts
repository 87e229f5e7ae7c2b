import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { IsOptionalQueryBoolean } from '../../../../common/validation/decorators';
import { OBJECT_ID_PATTERN, RFC3339_DATE_TIME_PATTERN } from '../../../../common/validation/patterns';
import { DataSourceDto, PatientReviewDto } from '../../patients/dto/patient-parts.dto';

export const TIDE_CATEGORIES = [
  'timeInVeryLowPercent',
  'timeInAnyLowPercent',
  'timeInExtremeHighPercent',
  'timeInVeryHighPercent',
  'timeInAnyHighPercent',
  'dropInTimeInTargetPercent',
  'timeInTargetPercent',
  'timeCGMUsePercent',
  'meetingTargets',
] as const;
export type TideCategory = (typeof TIDE_CATEGORIES)[number];

const PERIOD_PATTERN = /^(1d|7d|14d|30d)$/;
const ID_LIST_PATTERN = /^[a-f0-9]{24}(,[a-f0-9]{24})*$/;
const CATEGORY_LIST_PATTERN = new RegExp(`^((${TIDE_CATEGORIES.join('|')})(,(${TIDE_CATEGORIES.join('|')}))*)?$`);

/** TideReport's query (behavior-patients.md §18.1); lists are comma-separated (form style, not exploded). */
export class TideReportQuery {
  @IsString({ message: 'period must be given once' })
  @Matches(PERIOD_PATTERN, { message: 'period must be one of 1d, 7d, 14d, 30d' })
  @ApiProperty({ pattern: PERIOD_PATTERN.source, example: '7d' })
  period: string;

  @IsString({ message: 'tags must be given once, as a comma-separated list of ids' })
  @Matches(ID_LIST_PATTERN, { message: 'tags must be a comma-separated list of at least one 24-character hex id' })
  @ApiProperty({
    type: 'array',
    items: { type: 'string', pattern: OBJECT_ID_PATTERN.source },
    minItems: 1,
  })
  tags: string;

  @IsString({ message: 'lastDataCutoff must be given once' })
  @Matches(RFC3339_DATE_TIME_PATTERN, { message: 'lastDataCutoff must be an RFC 3339 date-time with a time zone' })
  @ApiProperty({ type: String, format: 'date-time' })
  lastDataCutoff: string;

  @IsOptional()
  @IsString({ message: 'categories must be given once, as a comma-separated list' })
  @Matches(CATEGORY_LIST_PATTERN, {
    message: `categories must be a comma-separated list of: ${TIDE_CATEGORIES.join(', ')}`,
  })
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', enum: [...TIDE_CATEGORIES] },
  })
  categories?: string;

  @IsOptionalQueryBoolean()
  excludeNoData?: boolean;
}

/** `tideFilters.v1`. */
export class TideFilters {
  @ApiPropertyOptional() dropInTimeInTargetPercent?: string;
  @ApiPropertyOptional() timeCGMUsePercent?: string;
  @ApiPropertyOptional() timeInAnyLowPercent?: string;
  @ApiPropertyOptional() timeInExtremeHighPercent?: string;
  @ApiPropertyOptional() timeInHighPercent?: string;
  @ApiPropertyOptional() timeInTargetPercent?: string;
  @ApiPropertyOptional() timeInVeryHighPercent?: string;
  @ApiPropertyOptional() timeInVeryLowPercent?: string;
}

/** `tideConfig.v1`. */
export class TideConfig {
  @ApiProperty({ type: 'number' }) schemaVersion: number;
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source }) clinicId: string;
  @ApiProperty({ pattern: PERIOD_PATTERN.source }) period: string;
  @ApiProperty({ format: 'date-time' }) lastDataCutoff: string;
  @ApiProperty({ type: 'number' }) highGlucoseThreshold: number;
  @ApiProperty({ type: 'number' }) veryHighGlucoseThreshold: number;
  @ApiPropertyOptional({ type: 'number' }) extremeHighGlucoseThreshold?: number;
  @ApiProperty({ type: 'number' }) lowGlucoseThreshold: number;
  @ApiProperty({ type: 'number' }) veryLowGlucoseThreshold: number;
  @ApiProperty({ type: [String], nullable: true }) tags: string[];
  @ApiProperty({ type: TideFilters }) filters: TideFilters;
}

/** `tidePatient.v1`. */
export class TidePatient {
  @ApiProperty() id: string;
  @ApiPropertyOptional({ format: 'email' }) email?: string;
  @ApiPropertyOptional({ minLength: 1 }) fullName?: string;
  @ApiProperty({ type: [String], nullable: true }) tags: string[];
  @ApiPropertyOptional({ type: [PatientReviewDto], nullable: true }) reviews?: PatientReviewDto[] | null;
  @ApiPropertyOptional({ type: [DataSourceDto], nullable: true }) dataSources?: DataSourceDto[] | null;
}

/** The period metrics a result carries (each left out when the patient's summary lacks it). */
export const TIDE_RESULT_METRICS = [
  'averageGlucoseMmol',
  'glucoseManagementIndicator',
  'timeCGMUseMinutes',
  'timeCGMUsePercent',
  'timeInVeryLowPercent',
  'timeInAnyLowPercent',
  'timeInLowPercent',
  'timeInTargetPercent',
  'timeInTargetPercentDelta',
  'timeInHighPercent',
  'timeInVeryHighPercent',
  'timeInExtremeHighPercent',
  'timeInAnyHighPercent',
] as const;

/** `tideResultPatient.v1`. */
export class TideResultPatient {
  @ApiPropertyOptional({ type: 'number' }) averageGlucoseMmol?: number;
  @ApiPropertyOptional({ type: 'number' }) glucoseManagementIndicator?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInVeryLowPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInAnyLowPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInLowPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInTargetPercentDelta?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInHighPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInVeryHighPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInExtremeHighPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInAnyHighPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeInTargetPercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeCGMUsePercent?: number;
  @ApiPropertyOptional({ type: 'number' }) timeCGMUseMinutes?: number;
  @ApiPropertyOptional({ format: 'date-time' }) lastData?: string;
  @ApiProperty({ type: TidePatient }) patient: TidePatient;
}

/** `tideResponse.v1`. */
export class TideResponse {
  @ApiProperty({ type: TideConfig }) config: TideConfig;

  /** Per category (and `noData`), the patients in it. */
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { $ref: '#/components/schemas/TideResultPatient' } },
  })
  results: Record<string, TideResultPatient[]>;
}
