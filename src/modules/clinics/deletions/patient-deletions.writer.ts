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

  /** Several records at once, each keyed by its own id like {@link archivePatient}. */
  async archivePatients(patients: PatientRecord[], deletedByUserId?: string): Promise<void> {
    this.guard();
    if (patients.length === 0) return;
    const deletedTime = new Date();
    await this.patientDeletions.bulkWrite(
      patients.map((patient) => ({
        replaceOne: {
          filter: { _id: patient._id },
          replacement: { deletedTime, ...(deletedByUserId ? { deletedByUserId } : {}), patient },
          upsert: true,
        },
      })),
      { ordered: true },
    );
  }
}
