import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';

/** The Clinics area's error texts, exactly as the established service words them (behavior-clinics.md §0.2). */
export const ClinicErrors = {
  clinicNotFound: (): ApiError => ApiError.notFound('clinic'),
  clinicianNotFound: (): ApiError => ApiError.notFound('clinician'),
  /** A user, share code or settings object that does not exist. */
  notFound: (): ApiError => ApiError.notFoundMessage('not found'),
  lastAdmin: (): ApiError => ApiError.constraintViolation('the clinic must have at least one admin'),
  notMigrated: (): ApiError => ApiError.constraintViolation('clinic is not migrated'),
  notClinician: (userId: string): ApiError => ApiError.constraintViolation(`user ${userId} is not clinician`),
  duplicateClinician: (): ApiError => ApiError.duplicate('clinician is already a member of the clinic'),
  nonEmptyClinic: (): ApiError => ApiError.badRequest('deletion of non-empty clinics is not allowed'),
  /** Invalid patient count settings; the established service answers the bare text. */
  badRequest: (): ApiError => new ApiError(HttpStatus.BAD_REQUEST, 'bad request'),
  expectedUser: (): ApiError => new ApiError(HttpStatus.BAD_REQUEST, 'expected authenticated user id'),
  /** Another request is changing the same clinician's admin role right now; retrying is safe. */
  concurrentModification: (): ApiError => ApiError.conflict('concurrent modification, please retry'),
};
