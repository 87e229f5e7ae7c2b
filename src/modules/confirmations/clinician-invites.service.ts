import { randomBytes } from 'node:crypto';
import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../auth/principal';
import { DirectoryUser, UserDirectory } from '../../auth/directory/user-directory';
import { ApiError } from '../../common/errors/api-error';
import { ClinicLock } from '../clinics/clinic-lock';
import { CliniciansService } from '../clinics/clinicians/clinicians.service';
import { ClinicsService } from '../clinics/clinics/clinics.service';
import type { ClinicianResponse } from '../clinics/clinicians/dto/clinician-response.dto';
import { ClinicianInviteMailer } from './clinician-invite.mailer';
import { ConfirmationResponse, CreatorProfileResponse, RestrictionsResponse } from './dto/confirmation-response.dto';
import type { InviteClinicianBody } from './dto/invite-clinician.dto';
import { evaluateMembershipRestrictions } from './membership-restrictions';
import { ConfirmationsRepository } from './repositories/confirmations.repository';
import { ConfirmationRecord, ConfirmationStatus, ConfirmationType } from './schemas/confirmation.schema';

export const NO_MATCHING_INVITE = 'No matching invite was found';
export const RESTRICTIONS_NOT_MET = 'Error accepting invitation';

/**
 * Clinician invites. A clinic admin (or a service) invites an e-mail address; the invitee lists,
 * accepts or dismisses it. The clinic-side invite record is a clinician with an `inviteId`,
 * managed by the Clinics domain; the invite's lifecycle lives in `confirmations`.
 */
@Injectable()
export class ClinicianInvitesService {
  private readonly logger = new Logger('ClinicianInvites');

  constructor(
    private readonly confirmations: ConfirmationsRepository,
    private readonly clinics: ClinicsService,
    private readonly clinicians: CliniciansService,
    private readonly users: UserDirectory,
    private readonly inviteMailer: ClinicianInviteMailer,
    private readonly lock: ClinicLock,
  ) {}

  /**
   * Changes to one invite run one at a time: FerretDB does not apply concurrent conditional updates
   * of one document atomically, so a racing accept and dismiss could otherwise both "win".
   */
  private exclusive<T>(inviteId: string, work: () => Promise<T>): Promise<T> {
    return this.lock.runExclusive(`confirmation:${inviteId}`, work);
  }

  /**
   * Write order, so that no invite is ever half-made: (1) the clinic-side invite record, which also
   * enforces "one record per e-mail per clinic"; (2) the confirmation, and if that fails the record
   * is removed again; (3) the e-mail. A failed send answers 500 but leaves a complete, pending
   * invite that ResendInvite can send again. A crash between (1) and (2) leaves only a clinic-side
   * record, which ResendInvite completes and DeleteInvite removes.
   */
  async inviteClinician(clinicId: string, body: InviteClinicianBody, principal: Principal): Promise<ClinicianResponse> {
    const clinicName = (await this.clinics.requireClinic(clinicId)).name ?? '';
    const key = newConfirmationKey();
    const invited = await this.clinicians.createClinician(clinicId, {
      email: body.email,
      roles: body.roles,
      inviteId: key,
    });
    const invitee = await this.users.findUserByEmail(body.email);
    const now = new Date();
    try {
      await this.confirmations.insert({
        _id: key,
        type: ConfirmationType.ClinicianInvitation,
        status: ConfirmationStatus.Pending,
        email: body.email,
        emailKey: body.email.toLowerCase(),
        clinicId,
        creatorId: principal.subjectId,
        creator: { clinicId, clinicName },
        userId: invitee?.userId ?? '',
        roles: body.roles,
        created: now,
        modified: now,
      });
    } catch (error) {
      await this.clinicians.deleteInvitedClinician(clinicId, key).catch(() => undefined);
      throw error;
    }
    await this.sendInviteMail(body.email, clinicName, principal.subjectId, invitee);
    return invited;
  }

  resendInvite(clinicId: string, inviteId: string, principal: Principal): Promise<ConfirmationResponse> {
    return this.exclusive(inviteId, () => this.resendInviteNow(clinicId, inviteId, principal));
  }

  private async resendInviteNow(
    clinicId: string,
    inviteId: string,
    principal: Principal,
  ): Promise<ConfirmationResponse> {
    const clinicName = (await this.clinics.requireClinic(clinicId)).name ?? '';
    const existing = await this.confirmations.findClinicianInvite(clinicId, inviteId);
    if (existing && existing.status !== ConfirmationStatus.Pending) throw ApiError.notFoundMessage(NO_MATCHING_INVITE);
    const invited = await this.clinicians.getInvitedClinician(clinicId, inviteId);
    const email = invited.email;
    const invitee = await this.users.findUserByEmail(email);
    const changes = {
      email,
      emailKey: email.toLowerCase(),
      creator: { clinicId, clinicName },
      userId: invitee?.userId ?? '',
      modified: new Date(),
    };
    let confirmation = existing ? await this.confirmations.refreshPendingClinicianInvite(inviteId, changes) : null;
    if (existing && !confirmation) throw ApiError.notFoundMessage(NO_MATCHING_INVITE);
    if (!confirmation) {
      // The clinic-side record exists without its confirmation: complete the invite.
      confirmation = {
        _id: inviteId,
        type: ConfirmationType.ClinicianInvitation,
        status: ConfirmationStatus.Pending,
        clinicId,
        creatorId: principal.subjectId,
        roles: invited.roles,
        created: changes.modified,
        ...changes,
      };
      await this.confirmations.insert(confirmation);
    }
    await this.sendInviteMail(email, clinicName, confirmation.creatorId, invitee);
    return this.toResponse(confirmation, await this.profileOf(confirmation.creatorId));
  }

  deleteInvite(clinicId: string, inviteId: string): Promise<void> {
    return this.exclusive(inviteId, async () => {
      const confirmation = await this.confirmations.findClinicianInvite(clinicId, inviteId);
      await this.deleteInviteRecordIfPresent(clinicId, inviteId);
      if (confirmation) await this.confirmations.finishPending(inviteId, ConfirmationStatus.Canceled);
    });
  }

  async getClinicianInvite(clinicId: string, inviteId: string): Promise<ConfirmationResponse> {
    await this.clinicians.getInvitedClinician(clinicId, inviteId);
    const confirmation = await this.confirmations.findClinicianInvite(clinicId, inviteId);
    if (confirmation?.status !== ConfirmationStatus.Pending) throw ApiError.notFoundMessage(NO_MATCHING_INVITE);
    return this.toResponse(confirmation, await this.profileOf(confirmation.creatorId));
  }

  /** Links invites sent to the user's e-mail addresses to them, then lists their pending invites. */
  async listClinicianInvites(userId: string, principal: Principal): Promise<ConfirmationResponse[]> {
    const user = await this.requireUser(userId);
    await this.confirmations.claimPendingClinicianInvites(userId, emailKeysOf(user));
    const invites = await this.confirmations.listPendingClinicianInvitesForUser(userId);
    // One look-up per distinct inviter and per distinct clinic, not per invite.
    const profiles = await lookupEach(
      invites.map((invite) => invite.creatorId),
      (id) => this.profileOf(id),
    );
    const restrictions = await lookupEach(
      invites.map((invite) => invite.clinicId ?? ''),
      (clinicId) => this.restrictionsFor(clinicId, user, principal),
    );
    return invites.map((invite) =>
      this.toResponse(invite, profiles.get(invite.creatorId), restrictions.get(invite.clinicId ?? '')),
    );
  }

  /**
   * Accepting is safe to repeat and to race: requests for one invite run one at a time, and a request
   * that finds the clinic-side record already associated with this user completes the confirmation
   * too (a retry after a crash between the two writes).
   */
  acceptClinicianInvite(userId: string, inviteId: string, principal: Principal): Promise<ClinicianResponse> {
    return this.exclusive(inviteId, () => this.acceptClinicianInviteNow(userId, inviteId, principal));
  }

  private async acceptClinicianInviteNow(
    userId: string,
    inviteId: string,
    principal: Principal,
  ): Promise<ClinicianResponse> {
    const user = await this.requireUser(userId);
    const invite = await this.confirmations.findPendingClinicianInviteForUser(inviteId, userId, emailKeysOf(user));
    if (!invite?.clinicId) throw ApiError.notFoundMessage(NO_MATCHING_INVITE);
    const restrictions = await this.restrictionsFor(invite.clinicId, user, principal);
    if (!restrictions.canAccept) throw new ApiError(HttpStatus.FORBIDDEN, RESTRICTIONS_NOT_MET);

    let clinician: ClinicianResponse;
    try {
      clinician = await this.clinicians.associateClinicianToUser(invite.clinicId, inviteId, userId);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== HttpStatus.NOT_FOUND) throw error;
      clinician = await this.clinicians.getClinician(invite.clinicId, userId).catch(() => {
        throw ApiError.notFoundMessage(NO_MATCHING_INVITE);
      });
    }
    if (!(await this.confirmations.finishPending(inviteId, ConfirmationStatus.Completed, userId))) {
      throw ApiError.notFoundMessage(NO_MATCHING_INVITE);
    }
    return clinician;
  }

  dismissClinicianInvite(userId: string, inviteId: string): Promise<void> {
    return this.exclusive(inviteId, async () => {
      const user = await this.requireUser(userId);
      const invite = await this.confirmations.findPendingClinicianInviteForUser(inviteId, userId, emailKeysOf(user));
      if (!invite?.clinicId) throw ApiError.notFoundMessage(NO_MATCHING_INVITE);
      await this.deleteInviteRecordIfPresent(invite.clinicId, inviteId);
      await this.confirmations.finishPending(inviteId, ConfirmationStatus.Declined, userId);
    });
  }

  private async deleteInviteRecordIfPresent(clinicId: string, inviteId: string): Promise<void> {
    try {
      await this.clinicians.deleteInvitedClinician(clinicId, inviteId);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== HttpStatus.NOT_FOUND) throw error;
    }
  }

  private async requireUser(userId: string): Promise<DirectoryUser> {
    const user = await this.users.getUser(userId);
    if (!user) throw ApiError.notFound('user');
    return user;
  }

  private async restrictionsFor(
    clinicId: string,
    user: DirectoryUser,
    principal: Principal,
  ): Promise<RestrictionsResponse> {
    const restrictions = await this.clinics.listMembershipRestrictions(clinicId);
    return evaluateMembershipRestrictions(restrictions, user.username ?? user.emails[0], principal.identityProvider);
  }

  private async profileOf(userId: string): Promise<CreatorProfileResponse> {
    const profile = await this.users.getProfile(userId).catch(() => undefined);
    return { fullName: profile?.fullName ?? '', ...(profile?.patient ? { patient: profile.patient } : {}) };
  }

  private async sendInviteMail(
    to: string,
    clinicName: string,
    inviterId: string,
    invitee: DirectoryUser | undefined,
  ): Promise<void> {
    const inviter = await this.profileOf(inviterId);
    try {
      await this.inviteMailer.send({ to, clinicName, inviterName: inviter.fullName, inviteeHasAccount: !!invitee });
    } catch (error) {
      this.logger.error({ err: error }, 'sending the invitation e-mail failed; the invite stays pending');
      throw new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, 'Error sending email');
    }
  }

  private toResponse(
    record: ConfirmationRecord,
    profile?: CreatorProfileResponse,
    restrictions?: RestrictionsResponse,
  ): ConfirmationResponse {
    return {
      key: record._id,
      type: record.type,
      status: record.status,
      email: record.email,
      ...(record.clinicId ? { clinicId: record.clinicId } : {}),
      creatorId: record.creatorId,
      created: record.created.toISOString(),
      modified: record.modified.toISOString(),
      creator: {
        userid: record.creatorId,
        profile: profile ?? { fullName: '' },
        ...(record.creator.clinicId ? { clinicId: record.creator.clinicId } : {}),
        ...(record.creator.clinicName ? { clinicName: record.creator.clinicName } : {}),
      },
      ...(record.context ? { context: record.context } : {}),
      ...(restrictions ? { restrictions } : {}),
      ...(record.expiresAt ? { expiresAt: record.expiresAt.toISOString() } : {}),
    };
  }
}

/** 24 random bytes as URL-safe base64: 32 characters, as the established keys. */
export function newConfirmationKey(): string {
  return randomBytes(24).toString('base64url');
}

function emailKeysOf(user: DirectoryUser): string[] {
  return [
    ...new Set([user.username, ...user.emails].filter((email): email is string => !!email).map((e) => e.toLowerCase())),
  ];
}

async function lookupEach<T>(keys: string[], lookup: (key: string) => Promise<T>): Promise<Map<string, T>> {
  const unique = [...new Set(keys)];
  const values = await Promise.all(unique.map(lookup));
  return new Map(unique.map((key, index) => [key, values[index]]));
}
