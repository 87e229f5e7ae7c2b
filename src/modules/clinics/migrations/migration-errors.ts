import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../../common/errors/api-error';

/** The migrations aggregate's error codes. */
export enum MigrationErrorCode {
  MigrationNotFound = 'migration-not-found',
  DuplicateMigration = 'duplicate-migration',
  AlreadyMigrated = 'already-migrated',
  IncompleteProfile = 'incomplete-profile',
}

/** Worded as the established service words them (behavior-clinics.md §0.2, §1.17). */
export const MigrationErrors = {
  notFound: (): ApiError => ApiError.notFound('migration').because(MigrationErrorCode.MigrationNotFound),
  /** The original's text: `migration` + the duplicate sentinel's `duplicate`. */
  duplicate: (): ApiError =>
    new ApiError(HttpStatus.CONFLICT, 'migration duplicate').because(MigrationErrorCode.DuplicateMigration),
  alreadyMigrated: (): ApiError =>
    ApiError.constraintViolation('clinic is already migrated').because(MigrationErrorCode.AlreadyMigrated),
  incompleteProfile: (): ApiError =>
    ApiError.constraintViolation('incomplete clinic profile').because(MigrationErrorCode.IncompleteProfile),
};
