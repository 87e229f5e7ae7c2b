import { Injectable, Logger } from '@nestjs/common';
import { FORBIDDEN_MESSAGE } from '../../auth/authorization/authorization.guard';
import { ClinicianMembershipLookup } from '../../auth/authorization/clinician-membership';
import { UserDirectory } from '../../auth/directory/user-directory';
import type { Principal } from '../../auth/principal';
import { ApiError } from '../../common/errors/api-error';
import { isDuplicateKeyError } from '../../database/duplicate-key';
import { ClinicianRole } from '../clinics/clinic.constants';
import { CliniciansService } from '../clinics/clinicians/clinicians.service';
import { ClinicsService } from '../clinics/clinics/clinics.service';
import type { PatientPermissionsDto } from '../clinics/patients/dto/patient-parts.dto';
import type { PatientResponse } from '../clinics/patients/dto/patient-response.dto';
import { PatientErrorCode } from '../clinics/patients/patient-errors';
import { PatientsService } from '../clinics/patients/patients.service';
import { ConfirmationWriteGate } from './confirmation-write-gate';
import type { ConfirmationResponse } from './dto/confirmation-response.dto';
import type { AcceptPatientInvitationBody, ShareWithClinicBody } from './dto/patient-invite.dto';
import {
  creatorProfileOf,
  InviteErrors,
  lookupEach,
  newConfirmationKey,
  toConfirmationResponse,
} from './invite-support';
import { PatientInviteMailer } from './patient-invite.mailer';
import { ConfirmationsRepository } from './repositories/confirmations.repository';
import { ConfirmationRecord, ConfirmationStatus, ConfirmationType } from './schemas/confirmation.schema';

/** A share blocks a new one from the same patient to the same clinic for this long. */
export const SHARE_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** At most this many of the clinic's admins are e-mailed about a new share. */
export const MAX_ADMINS_NOTIFIED = 100;
/** The permissions a patient can offer a clinic (custodianship is never shared this way). */
const SHAREABLE = ['view', 'upload', 'note'] as const;
type Shareable = (typeof SHAREABLE)[number];
type OfferedPermissions = Partial<Record<Shareable, Record<string, never>>>;

/**
 * Patients sharing their data with a clinic (behavior-clinics.md §3.10–§3.13): the patient shares by
 * the clinic's share code, the clinic's members list and accept (or decline) the share, the patient
 * may cancel it. Accepting creates the patient record through the Clinics patients service.
 *
 * Writes to a share run inside its confirmation gate; accepting enters the clinic's gate from there
 * (confirmation → clinic, never the other way round). The user directory and the mailer are called
 * only outside the gates.
 */
@Injectable()
export class PatientInvitesService {
  private readonly logger = new Logger('PatientInvites');

  constructor(
    private readonly confirmations: ConfirmationsRepository,
    private readonly gate: ConfirmationWriteGate,
    private readonly clinics: ClinicsService,
    private readonly clinicians: CliniciansService,
    private readonly patients: PatientsService,
    private readonly memberships: ClinicianMembershipLookup,
    private readonly users: UserDirectory,
    private readonly mailer: PatientInviteMailer,
  ) {}

  /**
   * A pending `careteam_invitation` to the clinic with this share code, expiring in 7 days. 404 for an
   * unknown code or user; 409 when the user is already the clinic's patient or has a pending,
   * unexpired share to it. The clinic's `shareKey` index makes concurrent shares one invite. The
   * admins' e-mails go out after the invite is stored; a failed send is logged, the invite stays.
   */
  async shareWithClinic(userId: string, body: ShareWithClinicBody): Promise<ConfirmationResponse> {
    const permissions = offeredPermissions(body.permissions);
    if (Object.keys(permissions).length === 0) throw InviteErrors.noPermissions();
    const clinic = await this.clinics.getClinicByShareCode(body.shareCode);
    if (!(await this.users.getUser(userId))) throw InviteErrors.userNotFound();
    if (await this.isPatient(clinic.id, userId)) throw InviteErrors.alreadyPatient();

    const shareKey = `${clinic.id}:${userId}`;
    const now = new Date();
    const open = await this.confirmations.findOpenShare(shareKey);
    if (open) {
      if (!isExpired(open, now)) throw InviteErrors.shareAlreadyPending();
      await this.gate.run(open._id, (writer) => writer.releaseExpiredShare(shareKey, now));
    }
    const key = newConfirmationKey();
    let record: ConfirmationRecord;
    try {
      record = await this.gate.run(key, (writer) =>
        writer.insert({
          type: ConfirmationType.CareteamInvitation,
          status: ConfirmationStatus.Pending,
          email: '',
          emailKey: '',
          clinicId: clinic.id,
          creatorId: userId,
          creator: {},
          userId: '',
          context: JSON.stringify(permissions),
          expiresAt: new Date(now.getTime() + SHARE_LIFETIME_MS),
          shareKey,
          created: now,
          modified: now,
        }),
      );
    } catch (error) {
      if (isDuplicateKeyError(error)) throw InviteErrors.shareAlreadyPending();
      throw error;
    }

    const profile = await creatorProfileOf(this.users, userId);
    if (!clinic.suppressedNotifications?.patientClinicInvitation) {
      await this.notifyAdmins(clinic.id, clinic.name, profile.patient?.fullName || profile.fullName);
    }
    return toConfirmationResponse(record, profile);
  }

  /** The clinic's pending shares, newest first, each with its patient's profile; expired ones included. */
  async getPatientInvites(clinicId: string): Promise<ConfirmationResponse[]> {
    await this.clinics.requireClinic(clinicId);
    const invites = await this.confirmations.listPendingPatientInvitesOfClinic(clinicId);
    return this.withProfiles(invites);
  }

  /** The pending shares the user has sent, newest first. */
  async listSentInvites(userId: string): Promise<ConfirmationResponse[]> {
    return this.withProfiles(await this.confirmations.listPendingSharesOfUser(userId));
  }

  /**
   * Creates the patient record with the permissions the share offered (an existing record is the
   * answer too) and completes the share. Any refusal of the patients service (MRN, sites, limits)
   * is answered with its own status and leaves the share pending. Expiry is not checked.
   */
  async acceptPatientInvitation(
    clinicId: string,
    inviteId: string,
    body: AcceptPatientInvitationBody | undefined,
  ): Promise<PatientResponse> {
    const invite = await this.requireOpenShare(clinicId, inviteId);
    const draft = await this.patients.draftPatientFromUser(clinicId, invite.creatorId, {
      fullName: body?.fullName,
      birthDate: body?.birthDate,
      mrn: body?.mrn,
      tags: body?.tags,
      glycemicRanges: body?.glycemicRanges,
      diagnosisType: body?.diagnosisType,
      permissions: permissionsOf(invite),
    });
    return this.gate.run(inviteId, async (writer) => {
      await this.requireOpenShare(clinicId, inviteId);
      const { patient } = await this.patients.createDraftedPatient(
        clinicId,
        draft,
        body?.sites?.map((site) => site.id),
      );
      if (!(await writer.finishPending(ConfirmationStatus.Completed))) throw InviteErrors.forbiddenOperation();
      return patient;
    });
  }

  /**
   * The patient who sent the share cancels it (`canceled`); the clinic — a server token or anyone
   * with a clinician record in it — declines it (`declined`). Allowed while pending or declined.
   */
  async cancelOrDecline(principal: Principal, clinicId: string, inviteId: string): Promise<void> {
    const forClinic =
      principal.isServer || (await this.memberships.findMembership(clinicId, principal.subjectId)) !== undefined;
    await this.gate.run(inviteId, async (writer) => {
      const invite = await this.confirmations.findByKey(inviteId);
      const found = invite && isShareTo(invite, clinicId) ? invite : undefined;
      const isCreator = !principal.isServer && found?.creatorId === principal.subjectId;
      if (!isCreator && !forClinic) throw ApiError.forbidden(FORBIDDEN_MESSAGE);
      if (!found) throw InviteErrors.noMatchingInvite();
      const status = isCreator ? ConfirmationStatus.Canceled : ConfirmationStatus.Declined;
      const moved = await writer.moveStatus([ConfirmationStatus.Pending, ConfirmationStatus.Declined], status);
      if (!moved) throw InviteErrors.forbiddenOperation();
    });
  }

  /** 404 when no invite has the key; 403 when it is not a pending share to this clinic. */
  private async requireOpenShare(clinicId: string, inviteId: string): Promise<ConfirmationRecord> {
    const invite = await this.confirmations.findByKey(inviteId);
    if (!invite) throw InviteErrors.noMatchingInvite();
    if (!isShareTo(invite, clinicId) || invite.status !== ConfirmationStatus.Pending) {
      throw InviteErrors.forbiddenOperation();
    }
    return invite;
  }

  private async isPatient(clinicId: string, userId: string): Promise<boolean> {
    try {
      await this.patients.getPatient(clinicId, userId);
      return true;
    } catch (error) {
      if (ApiError.is(error, PatientErrorCode.PatientNotFound)) return false;
      throw error;
    }
  }

  private async withProfiles(invites: ConfirmationRecord[]): Promise<ConfirmationResponse[]> {
    const profiles = await lookupEach(
      invites.map((invite) => invite.creatorId),
      (id) => creatorProfileOf(this.users, id),
    );
    return invites.map((invite) => toConfirmationResponse(invite, profiles.get(invite.creatorId)));
  }

  /** Each of the clinic's admins (up to {@link MAX_ADMINS_NOTIFIED}) gets the message; failures are logged. */
  private async notifyAdmins(clinicId: string, clinicName: string, patientName: string | undefined): Promise<void> {
    const admins = await this.clinicians.listClinicians(
      clinicId,
      { role: ClinicianRole.CLINIC_ADMIN },
      { offset: 0, limit: MAX_ADMINS_NOTIFIED },
      { clinicKnownToExist: true },
    );
    const addresses = [...new Set(admins.map((admin) => admin.email).filter((email): email is string => !!email))];
    const results = await Promise.allSettled(
      addresses.map((to) => this.mailer.send({ to, clinicName, patientName: patientName ?? '' })),
    );
    const failed = results.filter((result) => result.status === 'rejected');
    if (failed.length > 0) {
      this.logger.error(
        { err: failed[0].reason as unknown, clinicId, failed: failed.length },
        'e-mailing clinic admins about a new share failed; the invite is stored',
      );
    }
  }
}

function isShareTo(invite: ConfirmationRecord, clinicId: string): boolean {
  return invite.type === ConfirmationType.CareteamInvitation && invite.clinicId === clinicId;
}

function isExpired(invite: ConfirmationRecord, now: Date): boolean {
  return invite.expiresAt !== undefined && new Date(invite.expiresAt).getTime() <= now.getTime();
}

/** The shareable permissions sent, each as `{}`. */
function offeredPermissions(permissions: PatientPermissionsDto | undefined): OfferedPermissions {
  const offered: OfferedPermissions = {};
  for (const name of SHAREABLE) {
    if (permissions?.[name] !== undefined && permissions[name] !== null) offered[name] = {};
  }
  return offered;
}

/** The permissions a share offered, from its context; an unreadable context offers none. */
function permissionsOf(invite: ConfirmationRecord): PatientPermissionsDto {
  let context: unknown;
  try {
    context = invite.context ? JSON.parse(invite.context) : undefined;
  } catch {
    context = undefined;
  }
  return typeof context === 'object' && context !== null ? offeredPermissions(context) : {};
}
