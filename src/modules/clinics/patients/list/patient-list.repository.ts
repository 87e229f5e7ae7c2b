import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import type { Page } from '../../../../common/validation/pagination.dto';
import type { MongoFilter, MongoSort } from './patient-list-query';
import type { PatientRecord } from '../patient.schema';

/**
 * Reads of the `patients` collection for ListPatients (the patients area owns its writes).
 *
 * On MongoDB the indexes serve every read. The embedded FerretDB pushes neither sorts nor range filters
 * down: a read decodes every candidate patient document (on its SQLite engine, every document of the
 * collection), so there a list costs about one such pass per read (scripts/bench-list-patients.ts).
 */
@Injectable()
export class PatientListRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  findPage(filter: MongoFilter, sort: MongoSort, page: Page): Promise<PatientRecord[]> {
    return this.patients().find(filter, { sort, skip: page.offset, limit: page.limit }).toArray();
  }

  count(filter: MongoFilter): Promise<number> {
    return this.patients().countDocuments(filter);
  }

  private patients() {
    return this.connection.collection<PatientRecord>('patients');
  }
}
