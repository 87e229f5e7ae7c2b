import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../auth/principal';
import { ClinicWriteGate } from '../clinic-write-gate';
import type { DataSourceDto } from './dto/patient-parts.dto';
import { PatientCountsService } from './patient-counts.service';
import { PatientErrors } from './patient-errors';
import { storedDataSources } from './patient-fields';
import type { ConnectionProvider, DataSourceRecord } from './patient.schema';
import { PatientsRepository } from './patients.repository';

/** How long a provider connection request stays open (behavior-patients.md §17). */
const CONNECTION_REQUEST_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Patients' data sources and provider connection requests (behavior-patients.md §15, §17). */
@Injectable()
export class PatientDataSourcesService {
  constructor(
    private readonly patients: PatientsRepository,
    private readonly counts: PatientCountsService,
    private readonly gate: ClinicWriteGate,
  ) {}

  /**
   * Replaces the data sources on the user's record in every clinic (null or no body removes them) and
   * updates each clinic's patient counts. A user who is nobody's patient is no error.
   */
  async updatePatientDataSources(userId: string, sources: DataSourceDto[] | null): Promise<void> {
    const stored = sources ? storedDataSources(sources) : null;
    const clinicIds = [...new Set((await this.patients.clinicIdsOfUser(userId)).map(String))].sort();
    for (const clinicId of clinicIds) {
      await this.gate.run(clinicId, async (writes) => {
        const before = await writes.patients.setDataSources(userId, stored);
        if (before) await this.counts.apply(writes, clinicId, before, { ...before, dataSources: stored });
      });
    }
  }

  /**
   * Asks the patient to connect the provider: the patient's data source of that provider becomes
   * `pending` (or `pendingReconnect` when it was connected before) for 30 days, and the request is
   * recorded, newest first. 404 `patient not found` when the patient has no data source of the provider.
   */
  async connectProvider(principal: Principal, clinicId: string, userId: string, provider: ConnectionProvider) {
    if (!principal.subjectId) throw PatientErrors.expectedUser();
    await this.gate.run(clinicId, async (writes) => {
      const current = await this.patients.findOne(clinicId, userId);
      if (!current) throw PatientErrors.patientNotFound();
      const sources = current.dataSources ?? [];
      const index = sources.findIndex((source) => source.providerName === provider);
      if (index < 0) throw PatientErrors.patientNotFound();
      const now = new Date();
      const expirationTime = new Date(now.getTime() + CONNECTION_REQUEST_DAYS * DAY_MS);
      const previous = sources[index];
      const next: DataSourceRecord = previous.modifiedTime
        ? { ...previous, state: 'pendingReconnect', modifiedTime: now, expirationTime }
        : { ...previous, state: 'pending', expirationTime };
      const dataSources = sources.map((source, i) => (i === index ? next : source));
      const requests = [
        { providerName: provider, createdTime: now },
        ...(current.providerConnectionRequests?.[provider] ?? []),
      ];
      const updated = await writes.patients.connectProvider(current, dataSources, provider, requests);
      if (!updated) throw PatientErrors.concurrentModification();
      await this.counts.apply(writes, clinicId, current, updated);
    });
  }
}
