import { Injectable } from '@nestjs/common';
import { ClinicWriteGate } from '../clinic-write-gate';
import { PatientErrors } from '../patients/patient-errors';
import type {
  ConnectionProvider,
  ConnectionRequestRecord,
  DataSourceRecord,
  PatientRecord,
} from '../patients/patient.schema';
import { EhrMatchFilter, PatientsRepository } from '../patients/patients.repository';
import { EhrErrors } from './ehr-errors';

/** At most this many records per patient match query (as in the established service). */
const MATCH_LIMIT = 100;
/** How long a provider connection request stays pending. */
const CONNECTION_REQUEST_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** Data source states after which a new request asks to reconnect. */
const CONNECTED_BEFORE = new Set(['connected', 'disconnected', 'error']);
const ATTEMPTS = 3;

/**
 * Patient records as the EHR integrations read them (with their subscriptions, summary, data sources
 * and permissions, which the API DTOs do not all carry), and the provider connection requests an EHR
 * order asks for. Writes run inside the clinic's write gate.
 */
@Injectable()
export class EhrPatientsService {
  constructor(
    private readonly patients: PatientsRepository,
    private readonly gate: ClinicWriteGate,
  ) {}

  /** The clinic's records matching every given value (at most 100, by name then `_id`). */
  findMatches(clinicId: string, filter: EhrMatchFilter): Promise<PatientRecord[]> {
    return this.patients.findEhrMatches(clinicId, filter, MATCH_LIMIT);
  }

  findPatient(clinicId: string, userId: string): Promise<PatientRecord | null> {
    return this.patients.findOne(clinicId, userId);
  }

  /**
   * For each provider: a request `{providerName, createdTime: now}` in front of
   * `providerConnectionRequests.<provider>`, and the provider's data source set to `pending` with an
   * expiration 30 days ahead — or `pendingReconnect` (and `modifiedTime`) when it had been connected
   * before. Answers the updated record; 404 when there is none.
   */
  async requestConnections(clinicId: string, userId: string, providers: ConnectionProvider[]): Promise<PatientRecord> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      const updated = await this.gate.run(clinicId, async (writes) => {
        const current = await this.patients.findOne(clinicId, userId);
        if (!current) throw PatientErrors.patientNotFound();
        if (providers.length === 0) return current;
        const now = new Date();
        const requests: Partial<Record<ConnectionProvider, ConnectionRequestRecord[]>> = {
          ...(current.providerConnectionRequests ?? {}),
        };
        const dataSources: DataSourceRecord[] = [...(current.dataSources ?? [])];
        for (const provider of providers) {
          requests[provider] = [{ providerName: provider, createdTime: now }, ...(requests[provider] ?? [])];
          const index = dataSources.findIndex((source) => source.providerName === provider);
          const existing = index >= 0 ? dataSources[index] : undefined;
          const next: DataSourceRecord =
            existing && CONNECTED_BEFORE.has(existing.state)
              ? { ...existing, state: 'pendingReconnect', modifiedTime: now }
              : {
                  ...(existing ?? { providerName: provider }),
                  state: 'pending',
                  modifiedTime: now,
                  expirationTime: new Date(now.getTime() + CONNECTION_REQUEST_LIFETIME_MS),
                };
          if (index >= 0) dataSources[index] = next;
          else dataSources.push(next);
        }
        return writes.patients.update(current, { providerConnectionRequests: requests, dataSources });
      });
      if (updated) return updated;
    }
    throw EhrErrors.subscriptionConflict();
  }
}
