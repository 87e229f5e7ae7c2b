import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { PatientRecord } from '../patients/patient.schema';

const LAST_DATA = 'summary.cgmStats.dates.lastData';

/** The fields a TIDE result is made of. */
const TIDE_PROJECTION = {
  userId: 1,
  email: 1,
  fullName: 1,
  tags: 1,
  reviews: 1,
  dataSources: 1,
  [LAST_DATA]: 1,
} as const;

export type TidePatientRecord = Pick<
  PatientRecord,
  '_id' | 'userId' | 'email' | 'fullName' | 'tags' | 'reviews' | 'dataSources' | 'summary'
>;

export interface TideCategoryQuery {
  clinicId: string;
  tagIds: Types.ObjectId[];
  cutoff: Date;
  /** Conditions on the period's metrics, on full paths. */
  conditions: Array<Record<string, unknown>>;
  sort: Record<string, 1 | -1>;
  exclude: Types.ObjectId[];
  limit: number;
  period: string;
}

/**
 * TideReport's reads of the `patients` collection (behavior-patients.md §18): every query leads with
 * the clinic id and the patients' tags ({clinicId, tags} index).
 */
@Injectable()
export class TideReportRepository {
  constructor(@InjectModel(PatientRecord.name) private readonly patients: Model<PatientRecord>) {}

  /** The patients of one category: tagged, with data since the cutoff, not placed yet, best first. */
  findCategory(query: TideCategoryQuery): Promise<TidePatientRecord[]> {
    if (query.limit <= 0) return Promise.resolve([]);
    const filter: Record<string, unknown> = {
      clinicId: new Types.ObjectId(query.clinicId),
      tags: { $all: query.tagIds },
      [LAST_DATA]: { $gte: query.cutoff },
      $and: query.conditions,
    };
    if (query.exclude.length > 0) filter._id = { $nin: query.exclude };
    return this.patients
      .find(filter, { ...TIDE_PROJECTION, [`summary.cgmStats.periods.${query.period}`]: 1 })
      .sort({ ...query.sort, _id: 1 })
      .limit(query.limit)
      .lean<TidePatientRecord[]>()
      .exec();
  }

  /**
   * Tagged patients without recent data: no CGM data at all, or none for 8 hours and (none since the
   * cutoff, or a Dexcom data source that is not connected). Oldest data first (none first), at most `limit`.
   */
  async findNoData(
    clinicId: string,
    tagIds: Types.ObjectId[],
    cutoff: Date,
    now: Date,
    limit: number,
    period: string,
  ): Promise<TidePatientRecord[]> {
    const staleBefore = new Date(now.getTime() - 8 * 60 * 60 * 1000);
    const cursor = this.patients
      .find(
        {
          clinicId: new Types.ObjectId(clinicId),
          tags: { $all: tagIds },
          $or: [{ [LAST_DATA]: null }, { [LAST_DATA]: { $lt: staleBefore } }],
        },
        { ...TIDE_PROJECTION, [`summary.cgmStats.periods.${period}`]: 1 },
      )
      .sort({ [LAST_DATA]: 1, _id: 1 })
      .lean<TidePatientRecord[]>()
      .cursor({ batchSize: 200 });
    const found: TidePatientRecord[] = [];
    try {
      for await (const record of cursor) {
        const lastData = lastDataOf(record);
        const dexcomNotConnected = (record.dataSources ?? []).some(
          (source) => source.providerName === 'dexcom' && source.state !== 'connected',
        );
        if (!lastData || lastData < cutoff || dexcomNotConnected) found.push(record);
        if (found.length >= limit) break;
      }
    } finally {
      await cursor.close();
    }
    return found;
  }
}

export function lastDataOf(record: TidePatientRecord): Date | undefined {
  const value = record.summary?.cgmStats?.dates?.lastData;
  if (value instanceof Date) return value;
  if (typeof value === 'string') return new Date(value);
  return undefined;
}
