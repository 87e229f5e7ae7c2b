import type { Model } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import type { ClinicRecord } from '../clinics/clinic.schema';
import type { ClinicianRecord } from '../clinicians/clinician.schema';
import type { ClinicDeletionRecord, ClinicianDeletionRecord } from './deletion.schema';

/**
 * The `clinic_deletions` and `clinician_deletions` archives, written before a clinic's records are
 * deleted. Archives are keyed by the original record's id, so a retried deletion replaces its archive
 * instead of adding another. Created only by the clinic write gate.
 */
export class DeletionsWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly clinicDeletions: Model<ClinicDeletionRecord>,
    private readonly clinicianDeletions: Model<ClinicianDeletionRecord>,
  ) {
    super(scope);
  }

  async archiveClinic(clinic: ClinicRecord, deletedByUserId?: string): Promise<void> {
    this.guard();
    await this.clinicDeletions
      .replaceOne(
        { _id: clinic._id },
        { deletedTime: new Date(), ...(deletedByUserId ? { deletedByUserId } : {}), clinic },
        { upsert: true },
      )
      .exec();
  }

  async archiveClinicians(clinicians: ClinicianRecord[], deletedByUserId?: string): Promise<void> {
    this.guard();
    if (clinicians.length === 0) return;
    const deletedTime = new Date();
    await this.clinicianDeletions.bulkWrite(
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
