import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MinLength } from 'class-validator';
import { OBJECT_ID_PATTERN } from '../../../../common/validation/patterns';
import {
  BgUnits,
  ClinicSize,
  ClinicType,
  DEFAULT_BG_UNITS,
  DEFAULT_TIER,
  SHARE_CODE_PATTERN,
  TIER_DESCRIPTIONS,
} from '../../clinic.constants';
import { CLINIC_TIMEZONES } from '../clinic-timezones';
import type { ClinicRecord, PatientTagRecord, SiteRecord } from '../clinic.schema';

/** `phoneNumber.v1` (request and response). */
export class PhoneNumberDto {
  @IsOptional()
  @IsString()
  @MinLength(1)
  type?: string;

  @IsString()
  @MinLength(1)
  number: string;
}

/** `suppressedNotifications.v1` (request and response; no other keys allowed). */
export class SuppressedNotificationsDto {
  @IsOptional()
  @IsBoolean()
  patientClinicInvitation?: boolean;
}

/** `patientTag.v1`. */
export class PatientTagResponse {
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source, readOnly: true })
  id: string;

  @ApiProperty({ minLength: 1, maxLength: 20 })
  name: string;

  /** Patients carrying the tag; left out when none. */
  @ApiPropertyOptional({ type: 'integer' })
  numPatients?: number;
}

/** `site.v1`. */
export class SiteResponse {
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source, readOnly: true })
  id: string;

  @ApiProperty({ minLength: 1, maxLength: 200 })
  name: string;

  /** Patients at the site; left out when none. */
  @ApiPropertyOptional({ type: 'integer', readOnly: true })
  numPatients?: number;
}

/** `clinic.v1` as returned. */
export class ClinicResponse {
  @ApiProperty({ pattern: OBJECT_ID_PATTERN.source, readOnly: true })
  id: string;

  address?: string;
  city?: string;
  postalCode?: string;
  state?: string;
  country?: string;
  patientTags?: PatientTagResponse[];
  sites?: SiteResponse[];
  /** In the contract, never returned. */
  lastDeletedPatientTag?: PatientTagResponse;
  phoneNumbers?: PhoneNumberDto[];

  @ApiPropertyOptional({ enum: ClinicType, enumName: 'ClinicType' })
  clinicType?: string;

  @ApiPropertyOptional({ enum: ClinicSize, enumName: 'ClinicSize' })
  clinicSize?: string;

  name: string;

  @ApiProperty({ pattern: SHARE_CODE_PATTERN.source, readOnly: true })
  shareCode: string;

  @ApiProperty({ readOnly: true })
  canMigrate: boolean;

  @ApiPropertyOptional({ format: 'uri' })
  website?: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  createdTime: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  updatedTime: string;

  @ApiProperty({ readOnly: true, example: 'Free' })
  tierDescription: string;

  @ApiProperty({ readOnly: true, example: 'tier0100' })
  tier: string;

  @ApiProperty({ enum: BgUnits, enumName: 'BgUnits' })
  preferredBgUnits: string;

  suppressedNotifications?: SuppressedNotificationsDto;

  @ApiPropertyOptional({ enum: CLINIC_TIMEZONES, enumName: 'ClinicTimezone' })
  timezone?: string;
}

/** Live patient counts per tag id and per site id. */
export interface PatientCounts {
  tags: Map<string, number>;
  sites: Map<string, number>;
}

export const NO_PATIENT_COUNTS: PatientCounts = { tags: new Map(), sites: new Map() };

/** How a stored clinic becomes `clinic.v1` (behavior-clinics.md §1.1). */
export function toClinicResponse(clinic: ClinicRecord, counts: PatientCounts = NO_PATIENT_COUNTS): ClinicResponse {
  const id = clinic._id.toHexString();
  const tier = clinic.tier || DEFAULT_TIER;
  const response: ClinicResponse = {
    id,
    name: clinic.name ?? '',
    shareCode: clinic.canonicalShareCode,
    canMigrate: canMigrate(clinic),
    tier,
    tierDescription: TIER_DESCRIPTIONS[tier] ?? '',
    preferredBgUnits: clinic.preferredBgUnits || DEFAULT_BG_UNITS,
    createdTime: clinic.createdTime.toISOString(),
    updatedTime: clinic.updatedTime.toISOString(),
  };
  const optional = {
    clinicType: clinic.clinicType,
    clinicSize: clinic.clinicSize,
    address: clinic.address,
    city: clinic.city,
    postalCode: clinic.postalCode,
    state: clinic.state,
    country: clinic.country,
    // The response schema types it as a URI, which `""` is not: a blank website is left out.
    website: clinic.website || undefined,
    timezone: clinic.timezone ?? undefined,
  };
  // Echoed when present, `""` included (an optional field left blank is kept as sent).
  for (const [field, value] of Object.entries(optional)) {
    if (value !== undefined && value !== null) (response as unknown as Record<string, unknown>)[field] = value;
  }
  if (clinic.suppressedNotifications) {
    response.suppressedNotifications = { ...clinic.suppressedNotifications };
  }
  if (clinic.phoneNumbers?.length) {
    response.phoneNumbers = clinic.phoneNumbers.map((phone) => ({
      ...(phone.type ? { type: phone.type } : {}),
      number: phone.number,
    }));
  }
  if (clinic.patientTags) {
    response.patientTags = clinic.patientTags.map((tag) => withCount(tagId(tag), tag.name, counts.tags));
  }
  if (clinic.sites?.length) {
    response.sites = clinic.sites.map((site) => withCount(siteId(site), site.name, counts.sites));
  }
  return response;
}

function withCount(id: string, name: string, counts: Map<string, number>): PatientTagResponse {
  const numPatients = counts.get(id) ?? 0;
  return numPatients > 0 ? { id, name, numPatients } : { id, name };
}

function tagId(tag: PatientTagRecord): string {
  return tag._id ? String(tag._id) : '';
}

function siteId(site: SiteRecord): string {
  return site.id ? String(site.id) : '';
}

const PROFILE_FIELDS = ['address', 'city', 'clinicType', 'country', 'name', 'postalCode', 'state'] as const;

/** An unmigrated legacy clinic whose profile is complete and that has an admin (§1.1). */
export function canMigrate(clinic: ClinicRecord): boolean {
  if (clinic.isMigrated) return false;
  if (PROFILE_FIELDS.some((field) => !clinic[field])) return false;
  if (!clinic.preferredBgUnits) return false;
  if ((clinic.patientTags ?? []).some((tag) => !tag._id || !tag.name)) return false;
  return (clinic.admins ?? []).length > 0;
}
