import { ApiError } from '../../../common/errors/api-error';

/** The EHR area's error codes: what callers in other areas decide on. */
export enum EhrErrorCode {
  NoMatchingClinic = 'no-matching-clinic',
  MultipleMatchingClinics = 'multiple-matching-clinics',
  SettingsNotFound = 'ehr-settings-not-found',
  SubscriptionConflict = 'subscription-conflict',
}

/** Worded as the established service words them (behavior-integrations.md §1.4–§1.7). */
export const EhrErrors = {
  noMatchingClinic: (): ApiError =>
    ApiError.notFoundMessage("not found: couldn't find a matching clinic").because(EhrErrorCode.NoMatchingClinic),
  multipleMatchingClinics: (): ApiError =>
    ApiError.duplicate('multiple matching clinics found').because(EhrErrorCode.MultipleMatchingClinics),
  /** The clinic exists but has no EHR settings. */
  settingsNotFound: (): ApiError => ApiError.notFoundMessage('not found').because(EhrErrorCode.SettingsNotFound),
  /**
   * The patient record kept changing under the subscription update (only on MongoDB with several
   * service instances, after the retries). Retrying is safe: the update is idempotent per document.
   */
  subscriptionConflict: (): ApiError =>
    ApiError.conflict('the patient record changed concurrently, please retry').because(
      EhrErrorCode.SubscriptionConflict,
    ),
};
