import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsObjectIdString } from '../../../../common/validation/decorators';
import { ClinicIdParams } from '../../../../common/validation/id-params.dto';
import { OBJECT_ID_PATTERN } from '../../../../common/validation/patterns';

/** `patientTag.v1`'s name pattern (letters, digits, `_+<>-`; inner whitespace allowed). */
export const PATIENT_TAG_NAME_PATTERN = /^[\p{L}\p{N}_+><-][\p{L}\p{N}\s_+><-]*$/u;

export class PatientTagParams extends ClinicIdParams {
  @IsObjectIdString()
  patientTagId: string;
}

/** `patientTag.v1` as sent (CreatePatientTag, UpdatePatientTag): only `name` is used. */
export class PatientTagBody {
  /** Read-only: accepted and ignored. */
  @IsOptional()
  @IsString()
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source, readOnly: true })
  id: string;

  @IsString()
  @MinLength(1)
  @MaxLength(20)
  @Matches(PATIENT_TAG_NAME_PATTERN, {
    message: 'name must start with a letter, a digit or one of _+<>- and hold only those and whitespace',
  })
  @ApiProperty({ minLength: 1, maxLength: 20, pattern: '^[\\p{L}\\p{N}_+><-]{1}[\\p{L}\\p{N}\\s_+><-]*$' })
  name: string;

  /** Read-only: accepted and ignored. */
  @IsOptional()
  @ApiPropertyOptional({ type: 'integer' })
  numPatients?: number;
}

/** `tidepoolUserIds.v1`: the body of AssignPatientTagToClinicPatients and DeletePatientTagFromClinicPatients. */
export const TIDEPOOL_USER_IDS_SCHEMA = {
  type: 'array',
  nullable: true,
  minItems: 1,
  maxItems: 1000,
  uniqueItems: true,
  items: {
    type: 'string',
    pattern: '^([0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$',
  },
} as const;
