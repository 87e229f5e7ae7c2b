import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../../common/errors/api-error';

/** The patient-tag area's error codes. */
export enum PatientTagErrorCode {
  TagNotFound = 'patient-tag-not-found',
  DuplicateTag = 'duplicate-patient-tag',
  TooManyTags = 'too-many-patient-tags',
}

/** The most patient tags a clinic may have (behavior-patients.md §20). */
export const MAX_PATIENT_TAGS = 50;

/** Worded as the established service words them (behavior-patients.md §20, §23). */
export const PatientTagErrors = {
  tagNotFound: (): ApiError => ApiError.notFound('patient tag').because(PatientTagErrorCode.TagNotFound),
  /** ConvertPatientTagToSite's wording. */
  unableToFindTag: (): ApiError =>
    ApiError.notFoundMessage('unable to find patient tag: not found').because(PatientTagErrorCode.TagNotFound),
  duplicateTag: (): ApiError =>
    new ApiError(HttpStatus.CONFLICT, 'duplicate patient tag').because(PatientTagErrorCode.DuplicateTag),
  tooManyTags: (): ApiError =>
    ApiError.constraintViolation(
      `the clinic already has the maximum number of ${MAX_PATIENT_TAGS} patient tags`,
    ).because(PatientTagErrorCode.TooManyTags),
};

/** Tag names compare without spaces and case-insensitively ("Foo Bar" and "foobar" are the same tag). */
export function patientTagKey(name: string): string {
  return name.replace(/ /g, '').toLowerCase();
}
