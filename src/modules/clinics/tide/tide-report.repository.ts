import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { PatientRecord } from '../patients/patient.schema';

export type TidePatientRecord = Pick<
  PatientRecord,
  '_id' | 'userId' | 'email' | 'fullName' | 'tags' | 'reviews' | 'dataSources' | 'summary'
>;

/** TideReport's read of the `patients` collection (behavior-patients.md §18). */
@Injectable()
export class TideReportRepository {
  constructor(@InjectModel(PatientRecord.name) private readonly patients: Model<PatientRecord>) {}

  /**
   * The clinic's patients holding all the tags, streamed in batches, with only what the report reads
   * (the CGM last-data time and the period's metrics): one pass, led by the {clinicId, tags} index.
   */
  async *streamTagged(clinicId: string, tagIds: Types.ObjectId[], period: string): AsyncGenerator<TidePatientRecord> {
    const cursor = this.patients
      .find(
        { clinicId: new Types.ObjectId(clinicId), tags: { $all: tagIds } },
        {
          userId: 1,
          email: 1,
          fullName: 1,
          tags: 1,
          reviews: 1,
          dataSources: 1,
          'summary.cgmStats.dates.lastData': 1,
          [`summary.cgmStats.periods.${period}`]: 1,
        },
      )
      .lean<TidePatientRecord[]>()
      .cursor({ batchSize: 1000 });
    try {
      for await (const record of cursor) yield record;
    } finally {
      await cursor.close();
    }
  }
}

/** The patient's last CGM data time, if any. */
export function lastDataOf(record: TidePatientRecord): Date | undefined {
  const value = record.summary?.cgmStats?.dates?.lastData;
  if (value instanceof Date) return value;
  if (typeof value === 'string') return new Date(value);
  return undefined;
}
