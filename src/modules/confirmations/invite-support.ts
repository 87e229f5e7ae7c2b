import { randomBytes } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import type { UserDirectory } from '../../auth/directory/user-directory';
import { ApiError } from '../../common/errors/api-error';
import type {
  ConfirmationResponse,
  CreatorProfileResponse,
  RestrictionsResponse,
} from './dto/confirmation-response.dto';
import type { ConfirmationRecord } from './schemas/confirmation.schema';

export const NO_MATCHING_INVITE = 'No matching invite was found';
export const RESTRICTIONS_NOT_MET = 'Error accepting invitation';
export const FORBIDDEN_OPERATION = 'Forbidden to perform requested operation';

/** The Confirmations area's error codes. */
export enum InviteErrorCode {
  NoMatchingInvite = 'no-matching-invite',
  RestrictionsNotMet = 'restrictions-not-met',
  EmailNotSent = 'email-not-sent',
  UserNotFound = 'user-not-found',
  ForbiddenOperation = 'forbidden-operation',
  AlreadyPatient = 'already-patient',
  ShareAlreadyPending = 'share-already-pending',
  NoPermissions = 'no-permissions',
}

export const InviteErrors = {
  noMatchingInvite: (): ApiError =>
    ApiError.notFoundMessage(NO_MATCHING_INVITE).because(InviteErrorCode.NoMatchingInvite),
  restrictionsNotMet: (): ApiError =>
    new ApiError(HttpStatus.FORBIDDEN, RESTRICTIONS_NOT_MET).because(InviteErrorCode.RestrictionsNotMet),
  emailNotSent: (): ApiError =>
    new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, 'Error sending email').because(InviteErrorCode.EmailNotSent),
  userNotFound: (): ApiError => ApiError.notFound('user').because(InviteErrorCode.UserNotFound),
  forbiddenOperation: (): ApiError =>
    ApiError.forbidden(FORBIDDEN_OPERATION).because(InviteErrorCode.ForbiddenOperation),
  alreadyPatient: (): ApiError =>
    ApiError.duplicate('patient is already a member of the clinic').because(InviteErrorCode.AlreadyPatient),
  shareAlreadyPending: (): ApiError =>
    ApiError.duplicate('an invite to the clinic is already pending').because(InviteErrorCode.ShareAlreadyPending),
  noPermissions: (): ApiError =>
    ApiError.badRequest('permissions must grant view, upload or note').because(InviteErrorCode.NoPermissions),
};

/** 24 random bytes as URL-safe base64: 32 characters, as the established keys. */
export function newConfirmationKey(): string {
  return randomBytes(24).toString('base64url');
}

/** The creator's profile as invites show it; an unreadable profile shows an empty name. */
export async function creatorProfileOf(users: UserDirectory, userId: string): Promise<CreatorProfileResponse> {
  const profile = await users.getProfile(userId).catch(() => undefined);
  return { fullName: profile?.fullName ?? '', ...(profile?.patient ? { patient: profile.patient } : {}) };
}

/** One look-up per distinct key (e.g. per inviter), not per item. */
export async function lookupEach<T>(keys: string[], lookup: (key: string) => Promise<T>): Promise<Map<string, T>> {
  const unique = [...new Set(keys)];
  const values = await Promise.all(unique.map(lookup));
  return new Map(unique.map((key, index) => [key, values[index]]));
}

export function toConfirmationResponse(
  record: ConfirmationRecord,
  profile?: CreatorProfileResponse,
  restrictions?: RestrictionsResponse,
): ConfirmationResponse {
  return {
    key: record._id,
    type: record.type,
    status: record.status,
    email: record.email ?? '',
    ...(record.clinicId ? { clinicId: record.clinicId } : {}),
    creatorId: record.creatorId,
    created: record.created.toISOString(),
    modified: record.modified.toISOString(),
    creator: {
      userid: record.creatorId,
      profile: profile ?? { fullName: '' },
      ...(record.creator?.clinicId ? { clinicId: record.creator.clinicId } : {}),
      ...(record.creator?.clinicName ? { clinicName: record.creator.clinicName } : {}),
    },
    ...(record.context ? { context: record.context } : {}),
    ...(restrictions ? { restrictions } : {}),
    ...(record.expiresAt ? { expiresAt: record.expiresAt.toISOString() } : {}),
  };
}
