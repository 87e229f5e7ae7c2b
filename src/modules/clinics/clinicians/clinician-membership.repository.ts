import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { ClinicianMembership, ClinicianMembershipLookup } from '../../../auth/authorization/clinician-membership';
import { ClinicianRecord, memberKey } from './clinician.schema';
import { findOneLean } from '../../../database/lean-reads';
import { ClinicReadCaches } from '../clinic-read-cache';

/**
 * The authorization guard's one read per request: the caller's clinician record in the path clinic,
 * from the membership cache when it holds it.
 */
@Injectable()
export class ClinicianMembershipRepository extends ClinicianMembershipLookup {
  constructor(
    @InjectModel(ClinicianRecord.name) private readonly clinicians: Model<ClinicianRecord>,
    private readonly caches: ClinicReadCaches,
  ) {
    super();
  }

  async findMembership(clinicId: string, userId: string): Promise<ClinicianMembership | undefined> {
    const cached = this.caches.memberships.get(clinicId, userId);
    if (cached) return cached;
    const readStarted = this.caches.memberships.readStarted();
    const record = await findOneLean(this.clinicians, { memberKey: memberKey(clinicId, userId) });
    if (!record?.userId) return undefined;
    const membership: ClinicianMembership = {
      id: record._id.toHexString(),
      clinicId,
      userId: record.userId,
      roles: record.roles ?? [],
      name: record.name,
      ...(record.email ? { email: record.email } : {}),
    };
    this.caches.memberships.store(readStarted, clinicId, userId, membership);
    return membership;
  }
}
