import type { PatientCountRecord } from '../clinics/clinic.schema';
import type { PatientRecord } from './patient.schema';
import { PLAN_EXCLUDED_PROVIDER, type PatientCountValues } from './patients.repository';

/** What one record adds to its clinic's `patientCount` (behavior-patients.md §14.2). */
export type CountedPatient = Pick<PatientRecord, 'userId' | 'dataSources'>;

/**
 * The change to a clinic's counts when a record goes from `before` to `after` (either may be absent:
 * a creation or a deletion), as `$inc` amounts on the clinic document. Empty when nothing changes.
 * Undefined when a provider name cannot be a field path (a `.` in it, or a leading `$`): the caller
 * then recounts instead.
 */
export function patientCountIncrement(
  before: CountedPatient | undefined,
  after: CountedPatient | undefined,
  demoUserId: string | undefined,
): Record<string, number> | undefined {
  const amounts = new Map<string, number>();
  const add = (patient: CountedPatient | undefined, sign: 1 | -1): boolean => {
    if (!patient) return true;
    const bump = (path: string) => amounts.set(path, (amounts.get(path) ?? 0) + sign);
    bump('patientCount.total');
    if (demoUserId && patient.userId === demoUserId) {
      bump('patientCount.demo');
      return true;
    }
    const sources = patient.dataSources ?? [];
    if (!sources.some((source) => source.providerName === PLAN_EXCLUDED_PROVIDER)) bump('patientCount.plan');
    for (const source of sources) {
      if (!isFieldName(source.providerName) || !isFieldName(source.state)) return false;
      bump(`patientCount.providers.${source.providerName}.total`);
      bump(`patientCount.providers.${source.providerName}.states.${source.state}`);
    }
    return true;
  };
  if (!add(before, -1) || !add(after, 1)) return undefined;
  return Object.fromEntries([...amounts].filter(([, amount]) => amount !== 0));
}

function isFieldName(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && !name.includes('.') && !name.startsWith('$');
}

/** Whether a clinic's stored counts are in the current form (else they are recounted before use). */
export function isCurrentPatientCount(count: PatientCountRecord | undefined | null): count is PatientCountRecord {
  return !!count && typeof count.total === 'number' && typeof count.demo === 'number' && typeof count.plan === 'number';
}

/**
 * `patientCount.v1` from stored counts. Counts kept by increments may hold providers or states that
 * dropped to zero; they are left out, as a recount leaves them out.
 */
export function toPatientCountValues(count: PatientCountRecord): PatientCountValues {
  const providers: PatientCountValues['providers'] = {};
  for (const [name, raw] of Object.entries(count.providers ?? {})) {
    const provider = raw as { total?: unknown; states?: Record<string, unknown> };
    const total = typeof provider.total === 'number' ? provider.total : 0;
    if (total <= 0) continue;
    const states: Record<string, number> = {};
    for (const [state, value] of Object.entries(provider.states ?? {})) {
      if (typeof value === 'number' && value > 0) states[state] = value;
    }
    providers[name] = { total, states };
  }
  return { total: count.total, demo: count.demo, plan: count.plan, providers };
}
