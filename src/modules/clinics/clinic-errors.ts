import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';

/** The Clinics area's error codes: what callers in other areas decide on. */
export enum ClinicErrorCode {
  ClinicNotFound = 'clinic-not-found',
  ClinicianNotFound = 'clinician-not-found',
  NotFound = 'not-found',
  LastAdmin = 'last-admin',
  NotMigrated = 'not-migrated',
  NotClinician = 'not-clinician',
  DuplicateClinician = 'duplicate-clinician',
  NonEmptyClinic = 'non-empty-clinic',
  InvalidSettings = 'invalid-settings',
  ExpectedUser = 'expected-user',
  ConcurrentModification = 'concurrent-modification',
}

/** The Clinics area's errors, worded exactly as the established service words them (behavior-clinics.md §0.2). */
export const ClinicErrors = {
  clinicNotFound: (): ApiError => ApiError.notFound('clinic').because(ClinicErrorCode.ClinicNotFound),
  clinicianNotFound: (): ApiError => ApiError.notFound('clinician').because(ClinicErrorCode.ClinicianNotFound),
  /** A user, share code or settings object that does not exist. */
  notFound: (): ApiError => ApiError.notFoundMessage('not found').because(ClinicErrorCode.NotFound),
  lastAdmin: (): ApiError =>
    ApiError.constraintViolation('the clinic must have at least one admin').because(ClinicErrorCode.LastAdmin),
  notMigrated: (): ApiError =>
    ApiError.constraintViolation('clinic is not migrated').because(ClinicErrorCode.NotMigrated),
  notClinician: (userId: string): ApiError =>
    ApiError.constraintViolation(`user ${userId} is not clinician`).because(ClinicErrorCode.NotClinician),
  duplicateClinician: (): ApiError =>
    ApiError.duplicate('clinician is already a member of the clinic').because(ClinicErrorCode.DuplicateClinician),
  nonEmptyClinic: (): ApiError =>
    ApiError.badRequest('deletion of non-empty clinics is not allowed').because(ClinicErrorCode.NonEmptyClinic),
  /** Invalid patient count settings; the established service answers the bare text. */
  badRequest: (): ApiError =>
    new ApiError(HttpStatus.BAD_REQUEST, 'bad request').because(ClinicErrorCode.InvalidSettings),
  expectedUser: (): ApiError =>
    new ApiError(HttpStatus.BAD_REQUEST, 'expected authenticated user id').because(ClinicErrorCode.ExpectedUser),
  /**
   * Only on MongoDB with several service instances: another instance changed the same clinic's
   * admins between a conditional update and its re-read. Retrying is safe.
   */
  concurrentModification: (): ApiError =>
    ApiError.conflict('concurrent modification, please retry').because(ClinicErrorCode.ConcurrentModification),
};
