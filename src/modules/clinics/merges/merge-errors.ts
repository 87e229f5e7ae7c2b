import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../../common/errors/api-error';

/** Error codes of clinic merges. */
export enum MergeErrorCode {
  PlanBlocked = 'merge-plan-blocked',
  SameClinic = 'merge-same-clinic',
  MergeRunning = 'merge-running',
  TooManyTags = 'merge-too-many-tags',
  DuplicateTag = 'merge-duplicate-tag',
}

/** Worded as the notes word them (behavior-clinics.md §1.16, behavior-patients.md §5). */
export const MergeErrors = {
  planBlocked: (): ApiError =>
    ApiError.badRequest('the merge plan does not allow execution').because(MergeErrorCode.PlanBlocked),
  sameClinic: (): ApiError =>
    ApiError.badRequest('a clinic cannot be merged into itself').because(MergeErrorCode.SameClinic),
  running: (): ApiError =>
    ApiError.conflict('a merge of the source clinic is already in progress').because(MergeErrorCode.MergeRunning),
  tooManyTags: (): ApiError =>
    ApiError.constraintViolation('the clinic already has the maximum number of 50 patient tags').because(
      MergeErrorCode.TooManyTags,
    ),
  duplicateTag: (): ApiError =>
    new ApiError(HttpStatus.CONFLICT, 'duplicate patient tag').because(MergeErrorCode.DuplicateTag),
};
