import { Types } from 'mongoose';
import type { DirectoryUser, UserProfile } from '../../../auth/directory/user-directory';
import type { ClinicRecord } from '../clinics/clinic.schema';
import type {
  DataSourceDto,
  GlycemicRangesDto,
  PatientPermissionsDto,
  PatientReviewDto,
} from './dto/patient-parts.dto';
import { PatientErrors } from './patient-errors';
import {
  PATIENT_PERMISSIONS,
  type DataSourceRecord,
  type GlycemicRangesRecord,
  type PatientPermissionsRecord,
  type PatientRecord,
  type PatientSiteRecord,
  type ReviewRecord,
} from './patient.schema';

/** Every permission: what a custodial account's patient gets. */
export const ALL_PERMISSIONS: PatientPermissionsRecord = { custodian: {}, view: {}, upload: {}, note: {} };

/**
 * Name, birth date, MRN, e-mail and target devices of a record made from a user account
 * (behavior-patients.md §9): values sent non-empty are kept; otherwise they come from the profile
 * (`patient.birthday`, `patient.mrn`, `patient.fullName`, then `fullName`). Target devices always
 * come from the profile; the e-mail is the account's username, lower-cased.
 */
export function patientFieldsFromUser(
  user: DirectoryUser,
  profile: UserProfile | undefined,
  provided: { fullName?: string; birthDate?: string; mrn?: string } = {},
): Pick<PatientRecord, 'fullName' | 'birthDate' | 'mrn' | 'email' | 'targetDevices'> {
  const patient = profile?.patient;
  const email = user.username?.toLowerCase();
  return {
    fullName: provided.fullName || patient?.fullName || profile?.fullName || null,
    birthDate: provided.birthDate || patient?.birthday || '',
    mrn: provided.mrn || patient?.mrn || null,
    email: email ? email : null,
    targetDevices: patient?.targetDevices ? [...patient.targetDevices] : null,
  };
}

/** Each permission sent becomes `{}` (their contents are discarded). */
export function storedPermissions(permissions: PatientPermissionsDto | undefined | null): PatientPermissionsRecord {
  const stored: PatientPermissionsRecord = {};
  for (const key of PATIENT_PERMISSIONS) {
    if (permissions?.[key] !== undefined && permissions[key] !== null) stored[key] = {};
  }
  return stored;
}

export function hasPermissions(permissions: PatientPermissionsRecord | undefined): boolean {
  return PATIENT_PERMISSIONS.some((key) => permissions?.[key] !== undefined && permissions[key] !== null);
}

/**
 * The clinic's sites for the requested ids, de-duplicated, with the clinic's names. An id the clinic
 * does not have is `422` (`reject`) or left out (`drop`).
 */
export function resolveSites(clinic: ClinicRecord, siteIds: string[], unknown: 'reject' | 'drop'): PatientSiteRecord[] {
  const sites: PatientSiteRecord[] = [];
  for (const id of new Set(siteIds)) {
    const site = (clinic.sites ?? []).find((candidate) => String(candidate.id) === id);
    if (site) sites.push({ id: new Types.ObjectId(String(site.id)), name: site.name });
    else if (unknown === 'reject') throw PatientErrors.unknownSite();
  }
  return sites;
}

export function storedTags(tags: string[] | null | undefined): Types.ObjectId[] | undefined {
  return tags ? tags.map((tag) => new Types.ObjectId(tag)) : undefined;
}

export function storedDataSources(sources: DataSourceDto[]): DataSourceRecord[] {
  return sources.map((source) => ({
    providerName: source.providerName,
    state: source.state,
    ...(source.dataSourceId ? { dataSourceId: new Types.ObjectId(source.dataSourceId) } : {}),
    ...(source.modifiedTime ? { modifiedTime: new Date(source.modifiedTime) } : {}),
    ...(source.expirationTime ? { expirationTime: new Date(source.expirationTime) } : {}),
    ...(source.latestDataTime ? { latestDataTime: new Date(source.latestDataTime) } : {}),
  }));
}

export function storedReviews(reviews: PatientReviewDto[]): ReviewRecord[] {
  return reviews.map((review) => ({ clinicianId: review.clinicianId, time: new Date(review.time) }));
}

/** With the contract's defaults: `type: preset`, `preset: adaStandard`. */
export function storedGlycemicRanges(ranges: GlycemicRangesDto): GlycemicRangesRecord {
  return {
    type: ranges.type ?? 'preset',
    preset: ranges.preset ?? 'adaStandard',
    ...(ranges.custom
      ? {
          custom: {
            name: ranges.custom.name,
            thresholds: ranges.custom.thresholds.map((threshold) => ({
              name: threshold.name,
              upperBound: { value: threshold.upperBound.value, units: threshold.upperBound.units },
              inclusive: threshold.inclusive ?? false,
            })),
          },
        }
      : {}),
  };
}
