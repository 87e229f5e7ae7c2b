import { HttpStatus } from '@nestjs/common';
import { ApiError } from '../../common/errors/api-error';

/** The Xealth area's error codes. */
export enum XealthErrorCode {
  Disabled = 'xealth-disabled',
  BearerTokenRequired = 'xealth-bearer-token-required',
  BearerTokenInvalid = 'xealth-bearer-token-invalid',
  InvalidRequest = 'xealth-invalid-request',
  MrnMissing = 'xealth-mrn-missing',
  MultiplePatients = 'xealth-multiple-patients',
  PreorderNotFound = 'xealth-preorder-not-found',
  PreorderPatientMatched = 'xealth-preorder-patient-matched',
  PatientNotFound = 'xealth-patient-not-found',
  OrderNotFound = 'xealth-order-not-found',
  XealthApiFailed = 'xealth-api-failed',
  InvalidRestrictedToken = 'xealth-invalid-restricted-token',
  NoActiveSubscription = 'xealth-no-active-subscription',
  IncompletePatient = 'xealth-incomplete-patient',
}

/** Worded as the established service words them (behavior-integrations.md §2), where it has a text. */
export const XealthErrors = {
  disabled: (): ApiError =>
    ApiError.notFoundMessage('the xealth integration is not enabled').because(XealthErrorCode.Disabled),
  bearerTokenRequired: (): ApiError =>
    ApiError.unauthorized('unauthorized: bearer token is required').because(XealthErrorCode.BearerTokenRequired),
  bearerTokenInvalid: (): ApiError =>
    ApiError.unauthorized('unauthorized: bearer token is invalid').because(XealthErrorCode.BearerTokenInvalid),
  invalid: (reason: string): ApiError => ApiError.badRequest(reason).because(XealthErrorCode.InvalidRequest),
  mrnMissing: (): ApiError => ApiError.badRequest('mrn is missing').because(XealthErrorCode.MrnMissing),
  multiplePatients: (): ApiError =>
    ApiError.constraintViolation('multiple matching patients found').because(XealthErrorCode.MultiplePatients),
  preorderNotFound: (): ApiError =>
    ApiError.notFoundMessage('not found: preorder data not found').because(XealthErrorCode.PreorderNotFound),
  /** The initial step answered `{}` for an existing patient, so a form for one is unexpected. */
  preorderPatientMatched: (): ApiError =>
    ApiError.conflict('expected no patients to match the criteria').because(XealthErrorCode.PreorderPatientMatched),
  patientNotFound: (): ApiError => ApiError.notFound('patient').because(XealthErrorCode.PatientNotFound),
  orderNotFound: (): ApiError => ApiError.notFound('order').because(XealthErrorCode.OrderNotFound),
  xealthApiFailed: (detail: string): ApiError =>
    new ApiError(HttpStatus.BAD_GATEWAY, `the xealth api failed: ${detail}`).because(XealthErrorCode.XealthApiFailed),
  invalidRestrictedToken: (): ApiError =>
    ApiError.unauthorized('unauthorized: invalid or expired token').because(XealthErrorCode.InvalidRestrictedToken),
  noActiveSubscription: (): ApiError =>
    ApiError.unauthorized("unauthorized: patient doesn't have active subscriptions").because(
      XealthErrorCode.NoActiveSubscription,
    ),
  incompletePatient: (): ApiError =>
    ApiError.constraintViolation('the patient needs a birth date, an MRN and a full name for the report').because(
      XealthErrorCode.IncompletePatient,
    ),
};
