import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ConfirmationRecord, ConfirmationStatus, ConfirmationType } from '../schemas/confirmation.schema';

const CLINICIAN_INVITE = ConfirmationType.ClinicianInvitation;
const PENDING = ConfirmationStatus.Pending;
/** A bound on one user's pending invites in a listing; far above any real inbox. */
const MAX_INVITES_PER_USER = 1000;

/** The `confirmations` collection: invites and their lifecycle. */
@Injectable()
export class ConfirmationsRepository {
  constructor(@InjectModel(ConfirmationRecord.name) private readonly confirmations: Model<ConfirmationRecord>) {}

  async insert(record: ConfirmationRecord): Promise<void> {
    await this.confirmations.create(record);
  }

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

  /** Refreshes a pending invite for a resend; null when it is no longer pending. */
  refreshPendingClinicianInvite(
    key: string,
    changes: Pick<ConfirmationRecord, 'email' | 'emailKey' | 'creator' | 'userId' | 'modified'>,
  ): Promise<ConfirmationRecord | null> {
    return this.confirmations
      .findOneAndUpdate(
        { _id: key, type: CLINICIAN_INVITE, status: PENDING },
        { $set: changes },
        { returnDocument: 'after' },
      )
      .lean<ConfirmationRecord>()
      .exec();
  }

  /** Moves a pending invite to its final status; false when it was not pending (already handled). */
  async finishPending(key: string, status: ConfirmationStatus, userId?: string): Promise<boolean> {
    const result = await this.confirmations
      .updateOne(
        { _id: key, status: PENDING },
        { $set: { status, modified: new Date(), ...(userId ? { userId } : {}) } },
      )
      .exec();
    return result.modifiedCount > 0;
  }

  /** Links pending invites sent to any of the user's e-mails to the user. */
  async claimPendingClinicianInvites(userId: string, emailKeys: string[]): Promise<void> {
    if (emailKeys.length === 0) return;
    await this.confirmations
      .updateMany(
        { emailKey: { $in: emailKeys }, type: CLINICIAN_INVITE, status: PENDING, userId: '' },
        { $set: { userId, modified: new Date() } },
      )
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
