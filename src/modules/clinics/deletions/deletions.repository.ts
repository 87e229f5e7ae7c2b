import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { ClinicRecord } from '../clinics/clinic.schema';
import type { ClinicianRecord } from '../clinicians/clinician.schema';
import { ClinicDeletionRecord, ClinicianDeletionRecord } from './deletion.schema';

/** The `clinic_deletions` archive. Writes are upserts keyed by the clinic's id, so a retry is idempotent. */
@Injectable()
export class ClinicDeletionsRepository {
  constructor(@InjectModel(ClinicDeletionRecord.name) private readonly deletions: Model<ClinicDeletionRecord>) {}

  async archive(clinic: ClinicRecord, deletedByUserId?: string): Promise<void> {
    await this.deletions.collection.replaceOne(
      { _id: clinic._id },
      { deletedTime: new Date(), ...(deletedByUserId ? { deletedByUserId } : {}), clinic },
      { upsert: true },
    );
  }
}

/** The `clinician_deletions` archive, keyed like `clinic_deletions`. */
@Injectable()
export class ClinicianDeletionsRepository {
  constructor(@InjectModel(ClinicianDeletionRecord.name) private readonly deletions: Model<ClinicianDeletionRecord>) {}

  async archive(clinicians: ClinicianRecord[], deletedByUserId?: string): Promise<void> {
    if (clinicians.length === 0) return;
    const deletedTime = new Date();
    await this.deletions.collection.bulkWrite(
      clinicians.map((clinician) => ({
        replaceOne: {
          filter: { _id: clinician._id },
          replacement: { deletedTime, ...(deletedByUserId ? { deletedByUserId } : {}), clinician },
          upsert: true,
        },
      })),
      { ordered: true },
    );
  }
}
