import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../../auth/principal';
import { DirectoryUser, UserDirectory } from '../../auth/directory/user-directory';
import { ApiError } from '../../common/errors/api-error';
import { ClinicErrorCode } from '../clinics/clinic-errors';
import { CliniciansService } from '../clinics/clinicians/clinicians.service';
import { ClinicsService } from '../clinics/clinics/clinics.service';
import type { ClinicianResponse } from '../clinics/clinicians/dto/clinician-response.dto';
import { ClinicianInviteMailer } from './clinician-invite.mailer';
import { ConfirmationResponse, CreatorProfileResponse, RestrictionsResponse } from './dto/confirmation-response.dto';
import {
  creatorProfileOf,
  InviteErrors,
  lookupEach,
  newConfirmationKey,
  toConfirmationResponse,
} from './invite-support';
import type { InviteClinicianBody } from './dto/invite-clinician.dto';
import { evaluateMembershipRestrictions } from './membership-restrictions';
import { ConfirmationWriteGate } from './confirmation-write-gate';
import { ConfirmationsRepository } from './repositories/confirmations.repository';
import { ConfirmationStatus, ConfirmationType } from './schemas/confirmation.schema';

/**
 * Clinician invites. A clinic admin (or a service) invites an e-mail address; the invitee lists,
 * accepts or dismisses it. The clinic-side invite record is a clinician with an `inviteId`,
 * managed by the Clinics domain; the invite's lifecycle lives in `confirmations`.
 *
 * Every change to a confirmation runs inside its write gate (one invite at a time); remote calls —
 * the user directory, profiles, e-mail — happen before entering it or after leaving it.
 */
@Injectable()
export class ClinicianInvitesService {
  private readonly logger = new Logger('ClinicianInvites');

  constructor(
    private readonly confirmations: ConfirmationsRepository,
    private readonly gate: ConfirmationWriteGate,
    private readonly clinics: ClinicsService,
    private readonly clinicians: CliniciansService,
    private readonly users: UserDirectory,
    private readonly inviteMailer: ClinicianInviteMailer,
  ) {}

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
    const [invitee, inviter] = await Promise.all([
      this.users.findUserByEmail(body.email),
      this.profileOf(principal.subjectId),
    ]);
    const now = new Date();
    try {
      await this.gate.run(key, (confirmation) =>
        confirmation.insert({
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
        }),
      );
    } catch (error) {
      await this.clinicians.deleteInvitedClinician(clinicId, key).catch(() => undefined);
      throw error;
    }
    await this.sendInviteMail(body.email, clinicName, inviter.fullName, invitee);
    return invited;
  }

  async resendInvite(clinicId: string, inviteId: string, principal: Principal): Promise<ConfirmationResponse> {
    const clinicName = (await this.clinics.requireClinic(clinicId)).name ?? '';
    const existing = await this.confirmations.findClinicianInvite(clinicId, inviteId);
    if (existing && existing.status !== ConfirmationStatus.Pending) throw InviteErrors.noMatchingInvite();
    const invited = await this.clinicians.getInvitedClinician(clinicId, inviteId);
    const email = invited.email;
    const creatorId = existing?.creatorId ?? principal.subjectId;
    const [invitee, inviter] = await Promise.all([this.users.findUserByEmail(email), this.profileOf(creatorId)]);
    const changes = {
      email,
      emailKey: email.toLowerCase(),
      creator: { clinicId, clinicName },
      userId: invitee?.userId ?? '',
      modified: new Date(),
    };
    const confirmation = await this.gate.run(inviteId, async (writer) => {
      if (existing) {
        const refreshed = await writer.refreshPendingClinicianInvite(changes);
        if (!refreshed) throw InviteErrors.noMatchingInvite();
        return refreshed;
      }
      // The clinic-side record exists without its confirmation: complete the invite.
      return writer.insert({
        type: ConfirmationType.ClinicianInvitation,
        status: ConfirmationStatus.Pending,
        clinicId,
        creatorId,
        roles: invited.roles,
        created: changes.modified,
        ...changes,
      });
    });
    await this.sendInviteMail(email, clinicName, inviter.fullName, invitee);
    return toConfirmationResponse(confirmation, inviter);
  }

  deleteInvite(clinicId: string, inviteId: string): Promise<void> {
    return this.gate.run(inviteId, async (writer) => {
      const confirmation = await this.confirmations.findClinicianInvite(clinicId, inviteId);
      await this.deleteInviteRecordIfPresent(clinicId, inviteId);
      if (confirmation) await writer.finishPending(ConfirmationStatus.Canceled);
    });
  }

  async getClinicianInvite(clinicId: string, inviteId: string): Promise<ConfirmationResponse> {
    await this.clinicians.getInvitedClinician(clinicId, inviteId);
    const confirmation = await this.confirmations.findClinicianInvite(clinicId, inviteId);
    if (confirmation?.status !== ConfirmationStatus.Pending) throw InviteErrors.noMatchingInvite();
    return toConfirmationResponse(confirmation, await this.profileOf(confirmation.creatorId));
  }

  /** Links invites sent to the user's e-mail addresses to them, then lists their pending invites. */
  async listClinicianInvites(userId: string, principal: Principal): Promise<ConfirmationResponse[]> {
    const user = await this.requireUser(userId);
    const unclaimed = await this.confirmations.listUnclaimedClinicianInviteKeys(emailKeysOf(user));
    for (const key of unclaimed) {
      await this.gate.run(key, (writer) => writer.claimForUser(userId));
    }
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
      toConfirmationResponse(invite, profiles.get(invite.creatorId), restrictions.get(invite.clinicId ?? '')),
    );
  }

  /**
   * Accepting is safe to repeat and to race: requests for one invite run one at a time, and a request
   * that finds the clinic-side record already associated with this user completes the confirmation
   * too (a retry after a crash between the two writes).
   */
  async acceptClinicianInvite(userId: string, inviteId: string, principal: Principal): Promise<ClinicianResponse> {
    const user = await this.requireUser(userId);
    const fullName = await this.clinicians.profileNameOf(userId);
    return this.gate.run(inviteId, async (writer) => {
      const invite = await this.confirmations.findPendingClinicianInviteForUser(inviteId, userId, emailKeysOf(user));
      if (!invite?.clinicId) throw InviteErrors.noMatchingInvite();
      const restrictions = await this.restrictionsFor(invite.clinicId, user, principal);
      if (!restrictions.canAccept) throw InviteErrors.restrictionsNotMet();

      let clinician: ClinicianResponse;
      try {
        clinician = await this.clinicians.associateInvite(invite.clinicId, inviteId, userId, fullName);
      } catch (error) {
        if (!ApiError.is(error, ClinicErrorCode.ClinicianNotFound)) throw error;
        clinician = await this.clinicians.getClinician(invite.clinicId, userId).catch(() => {
          throw InviteErrors.noMatchingInvite();
        });
      }
      if (!(await writer.finishPending(ConfirmationStatus.Completed, userId))) throw InviteErrors.noMatchingInvite();
      return clinician;
    });
  }

  async dismissClinicianInvite(userId: string, inviteId: string): Promise<void> {
    const user = await this.requireUser(userId);
    await this.gate.run(inviteId, async (writer) => {
      const invite = await this.confirmations.findPendingClinicianInviteForUser(inviteId, userId, emailKeysOf(user));
      if (!invite?.clinicId) throw InviteErrors.noMatchingInvite();
      await this.deleteInviteRecordIfPresent(invite.clinicId, inviteId);
      await writer.finishPending(ConfirmationStatus.Declined, userId);
    });
  }

  private async deleteInviteRecordIfPresent(clinicId: string, inviteId: string): Promise<void> {
    try {
      await this.clinicians.deleteInvitedClinician(clinicId, inviteId);
    } catch (error) {
      if (!ApiError.is(error, ClinicErrorCode.ClinicianNotFound)) throw error;
    }
  }

  private async requireUser(userId: string): Promise<DirectoryUser> {
    const user = await this.users.getUser(userId);
    if (!user) throw InviteErrors.userNotFound();
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

  private profileOf(userId: string): Promise<CreatorProfileResponse> {
    return creatorProfileOf(this.users, userId);
  }

  private async sendInviteMail(
    to: string,
    clinicName: string,
    inviterName: string,
    invitee: DirectoryUser | undefined,
  ): Promise<void> {
    try {
      await this.inviteMailer.send({ to, clinicName, inviterName, inviteeHasAccount: !!invitee });
    } catch (error) {
      this.logger.error({ err: error }, 'sending the invitation e-mail failed; the invite stays pending');
      throw InviteErrors.emailNotSent();
    }
  }
}

function emailKeysOf(user: DirectoryUser): string[] {
  return [
    ...new Set([user.username, ...user.emails].filter((email): email is string => !!email).map((e) => e.toLowerCase())),
  ];
}
