import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../../common/errors/api-error';

/** The patient area's error codes: what callers in other areas decide on. */
export enum PatientErrorCode {
  PatientNotFound = 'patient-not-found',
  UserNotFound = 'user-not-found',
  PermissionNotFound = 'permission-not-found',
  NoReviews = 'no-reviews',
  DuplicatePatient = 'duplicate-patient',
  MrnRequired = 'mrn-required',
  MrnNotUnique = 'mrn-not-unique',
  PatientLimitReached = 'patient-limit-reached',
  UnknownSite = 'unknown-site',
  ReviewOfAnotherClinician = 'review-of-another-clinician',
  ExpectedUser = 'expected-user',
  ExpectedUserToken = 'expected-user-token',
  WorkspaceIdTypeRequired = 'workspace-id-type-required',
  ConcurrentModification = 'concurrent-modification',
}

/** The patient area's errors, worded as the established service words them (behavior-patients.md §0.2, §23). */
export const PatientErrors = {
  patientNotFound: (): ApiError => ApiError.notFound('patient').because(PatientErrorCode.PatientNotFound),
  /** The user a patient record is made from does not exist (CreatePatientFromUser). */
  userNotFound: (): ApiError => ApiError.notFoundMessage('not found').because(PatientErrorCode.UserNotFound),
  permissionNotFound: (): ApiError => ApiError.notFound('permission').because(PatientErrorCode.PermissionNotFound),
  noReviews: (): ApiError => ApiError.notFoundMessage('patient has no reviews').because(PatientErrorCode.NoReviews),
  duplicatePatient: (): ApiError =>
    ApiError.duplicate('patient is already a member of the clinic').because(PatientErrorCode.DuplicatePatient),
  mrnRequired: (): ApiError => ApiError.badRequest('mrn is required').because(PatientErrorCode.MrnRequired),
  mrnNotUnique: (): ApiError => ApiError.badRequest('mrn must be unique').because(PatientErrorCode.MrnNotUnique),
  patientLimitReached: (): ApiError =>
    new ApiError(HttpStatus.PAYMENT_REQUIRED, 'payment required: patient count exceeds limit').because(
      PatientErrorCode.PatientLimitReached,
    ),
  unknownSite: (): ApiError =>
    ApiError.constraintViolation('the clinic has no site with that name').because(PatientErrorCode.UnknownSite),
  reviewOfAnotherClinician: (): ApiError =>
    ApiError.conflict('cannot revert review from another clinician').because(PatientErrorCode.ReviewOfAnotherClinician),
  expectedUser: (): ApiError =>
    new ApiError(HttpStatus.BAD_REQUEST, 'expected authenticated user id').because(PatientErrorCode.ExpectedUser),
  expectedUserToken: (): ApiError =>
    new ApiError(HttpStatus.BAD_REQUEST, 'expected user access token').because(PatientErrorCode.ExpectedUserToken),
  /** FindPatients without a user: 401, unlike the other identity checks. */
  expectedUserUnauthorized: (): ApiError =>
    ApiError.unauthorized('expected authenticated user id').because(PatientErrorCode.ExpectedUser),
  workspaceIdTypeRequired: (): ApiError =>
    ApiError.badRequest('workspace id type is required').because(PatientErrorCode.WorkspaceIdTypeRequired),
  /**
   * Only on MongoDB with several service instances: the record changed between a read and the
   * conditional write that depends on it. Retrying is safe.
   */
  concurrentModification: (): ApiError =>
    ApiError.conflict('concurrent modification, please retry').because(PatientErrorCode.ConcurrentModification),
};
