import { Injectable } from '@nestjs/common';
import type { Page } from '../../../../common/validation/pagination.dto';
import { PatientListRepository } from './patient-list.repository';
import { ClinicsRepository } from '../../clinics/clinics.repository';
import { MongoFilter, PatientListParams, patientListQuery } from './patient-list-query';
import { toPatientResponse } from '../dto/patient-response.dto';
import { PatientsResponse } from './patients-response.dto';

@Injectable()
export class ListPatientsService {
  constructor(
    private readonly patients: PatientListRepository,
    private readonly clinics: ClinicsRepository,
  ) {}

  /**
   * One page of a clinic's patients with `meta.count` (matching the filters) and `meta.totalCount` (all
   * of the clinic's patients), as separate reads side by side — no `$facet`. A page that is not full
   * ends the matches (count = offset + its length), and the clinic's total is its stored patient
   * count (kept exact with every patient write), read by `_id` instead of counting the clinic's
   * documents. An unknown clinic has no patients (200, empty).
   */
  async listPatients(clinicId: string, params: PatientListParams, page: Page): Promise<PatientsResponse> {
    const { filter, sort, countFilter } = patientListQuery(clinicId, params);
    const isFiltered = Object.keys(filter).length > Object.keys(countFilter).length;
    // A filtered count is started beside the page rather than after it: a request then takes as long
    // as the slower of the two reads, not their sum, at the price of a count that is not needed when
    // the page turns out to end the matches.
    const filteredCount = isFiltered ? this.patients.count(filter) : undefined;
    filteredCount?.catch(() => undefined); // awaited below, unless an earlier read fails first
    const [records, total] = await Promise.all([
      this.patients.findPage(filter, sort, page),
      this.totalOf(clinicId, countFilter),
    ]);
    const endsMatches = records.length < page.limit && (records.length > 0 || page.offset === 0);
    const count = endsMatches ? page.offset + records.length : ((await filteredCount) ?? total);
    return { data: records.map(toPatientResponse), meta: { count, totalCount: total } };
  }

  /** The clinic's patient total: the stored count, or (a clinic without one) a count of its documents. */
  private async totalOf(clinicId: string, countFilter: MongoFilter): Promise<number> {
    const stored = (await this.clinics.findById(clinicId))?.patientCount?.total;
    return stored ?? this.patients.count(countFilter);
  }
}
