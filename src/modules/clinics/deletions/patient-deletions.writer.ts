import type { Model } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import type { PatientRecord } from '../patients/patient.schema';
import type { PatientDeletionRecord } from './deletion.schema';

/**
 * The `patient_deletions` archive, written before a patient record is deleted (if it cannot be
 * written, the record is not deleted). Created only by the clinic write gate.
 */
export class PatientDeletionsWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly patientDeletions: Model<PatientDeletionRecord>,
  ) {
    super(scope);
  }

  async archivePatient(patient: PatientRecord, deletedByUserId?: string): Promise<void> {
    this.guard();
    await this.patientDeletions
      .replaceOne(
        { _id: patient._id },
        { deletedTime: new Date(), ...(deletedByUserId ? { deletedByUserId } : {}), patient },
        { upsert: true },
      )
      .exec();
  }
}
