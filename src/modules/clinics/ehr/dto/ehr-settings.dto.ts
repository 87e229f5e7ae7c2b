import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MinLength,
  ValidateNested,
} from 'class-validator';

export const EHR_PROVIDERS = ['xealth', 'redox'] as const;
export type EhrProvider = (typeof EHR_PROVIDERS)[number];
export const REPORT_CADENCES = ['1d', '7d', '14d', '30d', 'DISABLED'] as const;
export const NOTE_EVENT_TYPES = ['New', 'Replace'] as const;

/** `ehrDestinations.v1`: Redox destination ids for outbound Flowsheet / Notes / Results. */
export class EhrDestinationsDto {
  /** Destination ID override for Flowsheets */
  @IsString()
  @MinLength(1)
  flowsheet: string;

  /** Destination ID override for Results */
  @IsString()
  @MinLength(1)
  results: string;

  /** Destination ID override for Notes */
  @IsString()
  @MinLength(1)
  notes: string;
}

/** `ehrProcedures.v1`: the procedure codes the worker reacts to. */
export class EhrProceduresDto {
  /** Procedure Code for Summary Statistics and PDF Reports subscription */
  @IsOptional()
  @IsString()
  @MinLength(1)
  enableSummaryReports?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  disableSummaryReports?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  createAccount?: string;

  @IsOptional()
  @IsString()
  createAccountAndEnableReports?: string;
}

/** `scheduledReports.v1`. */
export class ScheduledReportsDto {
  /** Send a PDF Report and a Flowsheet to Redox after a dataset is uploaded. */
  @IsBoolean()
  onUploadEnabled: boolean;

  @IsOptional()
  @IsIn(NOTE_EVENT_TYPES, { message: `must be one of: ${NOTE_EVENT_TYPES.join(', ')}` })
  @ApiPropertyOptional({ enum: NOTE_EVENT_TYPES, default: 'New' })
  onUploadNoteEventType?: (typeof NOTE_EVENT_TYPES)[number];

  /** The cadence of the scheduled reports. */
  @IsIn(REPORT_CADENCES, { message: `must be one of: ${REPORT_CADENCES.join(', ')}` })
  @ApiProperty({ enum: REPORT_CADENCES })
  cadence: (typeof REPORT_CADENCES)[number];
}

/** `ehrTagsSettings.v1`. */
export class EhrTagsSettingsDto {
  /** Codes of the clinical info items used to select the tags to associate with the patient. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  codes?: string[] | null;

  /** If set, the tag values are split using this separator. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  separator?: string;
}

/** `ehrFlowsheetSettings.v1`. */
export class EhrFlowsheetSettingsDto {
  /** Round values per ICode2 rules (true) or send them at higher precision. */
  @IsBoolean()
  icode: boolean;
}

/** `ehrNoteSettings.v1`. */
export class EhrNoteSettingsDto {
  /** If true, include GMI in the notes. */
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional({ default: false })
  includeGMI?: boolean;
}

/** `ehrSettings.v1`: UpdateEHRSettings body, and the response of both EHR settings operations. */
export class EhrSettingsDto {
  /** Enable or disable the EHR integration */
  @IsBoolean()
  enabled: boolean;

  @IsString()
  sourceId: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EhrDestinationsDto)
  destinationIds?: EhrDestinationsDto;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => EhrProceduresDto)
  procedureCodes: EhrProceduresDto;

  @IsString()
  @MinLength(1)
  mrnIdType: string;

  @IsIn(EHR_PROVIDERS, { message: `must be one of: ${EHR_PROVIDERS.join(', ')}` })
  @ApiProperty({ enum: EHR_PROVIDERS })
  provider: EhrProvider;

  /** Scheduled Report Settings */
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduledReportsDto)
  scheduledReports: ScheduledReportsDto;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => EhrTagsSettingsDto)
  tags: EhrTagsSettingsDto;

  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => EhrFlowsheetSettingsDto)
  flowsheets: EhrFlowsheetSettingsDto;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EhrNoteSettingsDto)
  notes?: EhrNoteSettingsDto;
}
