import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsIn, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { ClinicResponse } from '../../clinics/clinics/dto/clinic-response.dto';
import { EhrSettingsDto } from '../../clinics/ehr/dto/ehr-settings.dto';
import { PatientResponse } from '../../clinics/patients/dto/patient-response.dto';
import { PATIENT_MATCH_CRITERIA, type PatientMatchCriterion } from '../redox-order';

export const MATCH_DATA_MODELS = ['Order'] as const;
export const MATCH_EVENT_TYPES = ['New'] as const;
export const UNIQUE_MATCH_ACTIONS = ['ENABLE_REPORTS', 'DISABLE_REPORTS'] as const;
export type UniqueMatchAction = (typeof UNIQUE_MATCH_ACTIONS)[number];

const oneOf = (values: readonly string[]) => ({ message: `must be one of: ${values.join(', ')}` });

/** `ehrMatchMessageRef.v1`: the stored message to match. */
export class EhrMatchMessageRefDto {
  @IsIn(MATCH_DATA_MODELS, oneOf(MATCH_DATA_MODELS))
  @ApiProperty({ enum: MATCH_DATA_MODELS })
  dataModel: (typeof MATCH_DATA_MODELS)[number];

  @IsIn(MATCH_EVENT_TYPES, oneOf(MATCH_EVENT_TYPES))
  @ApiProperty({ enum: MATCH_EVENT_TYPES })
  eventType: (typeof MATCH_EVENT_TYPES)[number];

  /** The id of the message in the `redox` collection (24 hexadecimal characters). */
  @IsString()
  documentId: string;
}

/** `ehrMatchRequestPatientsOptions.v1`. */
export class EhrMatchPatientsOptionsDto {
  /** Performs an "OR" match for each item in the array */
  @IsArray()
  @ArrayMinSize(1)
  @IsIn(PATIENT_MATCH_CRITERIA, { each: true, ...oneOf(PATIENT_MATCH_CRITERIA) })
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...PATIENT_MATCH_CRITERIA] }, minItems: 1 })
  criteria: PatientMatchCriterion[];

  /** Optional action to be performed when a unique match has been found */
  @IsOptional()
  @IsIn(UNIQUE_MATCH_ACTIONS, oneOf(UNIQUE_MATCH_ACTIONS))
  @ApiPropertyOptional({ enum: UNIQUE_MATCH_ACTIONS })
  onUniqueMatch?: UniqueMatchAction;
}

/** `ehrMatchRequest.v1`. */
export class EhrMatchRequestDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EhrMatchMessageRefDto)
  messageRef?: EhrMatchMessageRefDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EhrMatchPatientsOptionsDto)
  patients?: EhrMatchPatientsOptionsDto;
}

/** `ehrMatchResponse.v1`. `patients` is always present (`[]` when none matched). */
export class EhrMatchResponseDto {
  clinic: ClinicResponse;

  @ApiPropertyOptional({ type: [PatientResponse] })
  patients?: PatientResponse[];

  settings: EhrSettingsDto;
}
