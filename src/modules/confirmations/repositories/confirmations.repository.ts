import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import { ConfirmationRecord, ConfirmationStatus, ConfirmationType } from '../schemas/confirmation.schema';
import { insertDocument } from '../../../database/insert-document';

const CLINICIAN_INVITE = ConfirmationType.ClinicianInvitation;
const CARETEAM_INVITE = ConfirmationType.CareteamInvitation;
const PENDING = ConfirmationStatus.Pending;
/** A bound on one user's pending invites in a listing; far above any real inbox. */
const MAX_INVITES_PER_USER = 1000;
/** A bound on a clinic's pending patient invites in a listing. */
export const MAX_PATIENT_INVITES_PER_CLINIC = 1000;

/** Reads of the `confirmations` collection; writes go through {@link ConfirmationWriter}, inside the confirmation gate. */
@Injectable()
export class ConfirmationsRepository {
  constructor(@InjectModel(ConfirmationRecord.name) private readonly confirmations: Model<ConfirmationRecord>) {}

  findClinicianInvite(clinicId: string, key: string): Promise<ConfirmationRecord | null> {
    return this.confirmations.findOne({ _id: key, clinicId, type: CLINICIAN_INVITE }).lean<ConfirmationRecord>().exec();
  }

  /** The pending invite with this key addressed to the user: linked to them, or sent to one of their e-mails. */
  findPendingClinicianInviteForUser(
    key: string,
    userId: string,
    emailKeys: string[],
  ): Promise<ConfirmationRecord | null> {
    return this.confirmations
      .findOne({
        _id: key,
        type: CLINICIAN_INVITE,
        status: PENDING,
        $or: [{ userId }, { userId: '', emailKey: { $in: emailKeys } }],
      })
      .lean<ConfirmationRecord>()
      .exec();
  }

  /** Keys of pending invites sent to any of the user's e-mails and not yet linked to a user. */
  async listUnclaimedClinicianInviteKeys(emailKeys: string[]): Promise<string[]> {
    if (emailKeys.length === 0) return [];
    const found = await this.confirmations
      .find({ emailKey: { $in: emailKeys }, type: CLINICIAN_INVITE, status: PENDING, userId: '' }, { _id: 1 })
      .limit(MAX_INVITES_PER_USER)
      .lean<Array<Pick<ConfirmationRecord, '_id'>>>()
      .exec();
    return found.map((record) => record._id);
  }

  findByKey(key: string): Promise<ConfirmationRecord | null> {
    return this.confirmations.findOne({ _id: key }).lean<ConfirmationRecord>().exec();
  }

  /** The share that blocks a new one from this patient to this clinic, if any. */
  findOpenShare(shareKey: string): Promise<ConfirmationRecord | null> {
    return this.confirmations.findOne({ shareKey }).lean<ConfirmationRecord>().exec();
  }

  /** GetPatientInvites: the clinic's pending shares, newest first, expired ones included. */
  listPendingPatientInvitesOfClinic(clinicId: string): Promise<ConfirmationRecord[]> {
    return this.confirmations
      .find({ clinicId, type: CARETEAM_INVITE, status: PENDING })
      .sort({ created: -1, _id: 1 })
      .limit(MAX_PATIENT_INVITES_PER_CLINIC)
      .lean<ConfirmationRecord[]>()
      .exec();
  }

  /** The pending shares a patient has sent, newest first. */
  listPendingSharesOfUser(creatorId: string): Promise<ConfirmationRecord[]> {
    return this.confirmations
      .find({ creatorId, type: CARETEAM_INVITE, status: PENDING })
      .sort({ created: -1, _id: 1 })
      .limit(MAX_INVITES_PER_USER)
      .lean<ConfirmationRecord[]>()
      .exec();
  }

  listPendingClinicianInvitesForUser(userId: string): Promise<ConfirmationRecord[]> {
    return this.confirmations
      .find({ userId, type: CLINICIAN_INVITE, status: PENDING })
      .sort({ created: -1, _id: 1 })
      .limit(MAX_INVITES_PER_USER)
      .lean<ConfirmationRecord[]>()
      .exec();
  }
}

/**
 * Writes to one confirmation, bound to its key. Only the confirmation write gate creates it; it
 * refuses to write once the gate is released. Updates are conditional on the invite still being
 * pending, so a finished invite is never reopened.
 */
export class ConfirmationWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly key: string,
    private readonly confirmations: Model<ConfirmationRecord>,
  ) {
    super(scope);
  }

  async insert(record: Omit<ConfirmationRecord, '_id'>): Promise<ConfirmationRecord> {
    this.guard();
    const stored: ConfirmationRecord = { ...record, _id: this.key };
    await insertDocument(this.confirmations, stored);
    return stored;
  }

  /** Refreshes a pending invite for a resend; null when it is no longer pending. */
  refreshPendingClinicianInvite(
    changes: Pick<ConfirmationRecord, 'email' | 'emailKey' | 'creator' | 'userId' | 'modified'>,
  ): Promise<ConfirmationRecord | null> {
    this.guard();
    return this.confirmations
      .findOneAndUpdate(
        { _id: this.key, type: CLINICIAN_INVITE, status: PENDING },
        { $set: changes },
        { returnDocument: 'after' },
      )
      .lean<ConfirmationRecord>()
      .exec();
  }

  /** Moves a pending invite to its final status; false when it was not pending (already handled). */
  finishPending(status: ConfirmationStatus, userId?: string): Promise<boolean> {
    return this.moveStatus([PENDING], status, userId);
  }

  /**
   * Moves the invite from one of the `from` statuses to `status`; false when it was in none of them.
   * A share's `shareKey` goes with it, so the patient may share with the clinic again.
   */
  async moveStatus(from: ConfirmationStatus[], status: ConfirmationStatus, userId?: string): Promise<boolean> {
    this.guard();
    const result = await this.confirmations
      .updateOne(
        { _id: this.key, status: { $in: from } },
        { $set: { status, modified: new Date(), ...(userId ? { userId } : {}) }, $unset: { shareKey: 1 } },
      )
      .exec();
    return result.modifiedCount > 0;
  }

  /** An expired pending share stops blocking a new one (it stays pending and acceptable). */
  async releaseExpiredShare(shareKey: string, now: Date): Promise<boolean> {
    this.guard();
    const result = await this.confirmations
      .updateOne({ _id: this.key, shareKey, status: PENDING, expiresAt: { $lte: now } }, { $unset: { shareKey: 1 } })
      .exec();
    return result.modifiedCount > 0;
  }

  /** Links a pending invite not yet linked to anyone to the user. */
  async claimForUser(userId: string): Promise<boolean> {
    this.guard();
    const result = await this.confirmations
      .updateOne(
        { _id: this.key, type: CLINICIAN_INVITE, status: PENDING, userId: '' },
        { $set: { userId, modified: new Date() } },
      )
      .exec();
    return result.modifiedCount > 0;
  }
}
