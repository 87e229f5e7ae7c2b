import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { Page } from '../../../../common/validation/pagination.dto';
import { findLean } from '../../../../database/lean-reads';
import type { MongoFilter, MongoSort } from './patient-list-query';
import { PatientRecord } from '../patient.schema';

/**
 * Reads of the `patients` collection for ListPatients (the patients area owns its writes).
 *
 * On MongoDB the indexes serve every read. On the embedded engine (PostgreSQL) the patched FerretDB
 * filters, sorts, limits and counts these queries in PostgreSQL (docs/decisions/embedded-engine.md,
 * part 4), so a list decodes its page, not the clinic (scripts/bench-list-patients.ts).
 */
@Injectable()
export class PatientListRepository {
  constructor(@InjectModel(PatientRecord.name) private readonly patients: Model<PatientRecord>) {}

  findPage(filter: MongoFilter, sort: MongoSort, page: Page): Promise<PatientRecord[]> {
    return findLean(this.patients, filter, { sort, skip: page.offset, limit: page.limit });
  }

  count(filter: MongoFilter): Promise<number> {
    return this.patients.collection.countDocuments(filter);
  }
}
