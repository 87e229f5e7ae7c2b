import { XealthErrors } from './xealth-errors';

/** The patient identity Xealth sends (`patientIdentity`). */
export interface XealthPatientIdentity {
  ids?: Array<{ id?: unknown; type?: unknown; origin?: unknown }> | null;
  historicalIds?: unknown;
}

/** The parts of `datasets.demographicsV1` the service reads. */
export interface XealthDemographics {
  name?: { given?: unknown; family?: unknown } | null;
  birthDate?: unknown;
  telecom?: Array<{ system?: unknown; value?: unknown }> | null;
}

/** `datasets.ehrUserV1`: the EHR user making the request. */
export interface XealthEhrUser {
  userId?: unknown;
  systemLogin?: unknown;
}

/** What the webhooks share: the deployment, the patient's identity and the datasets. */
export interface XealthPatientRequest {
  deployment?: unknown;
  patientIdentity?: XealthPatientIdentity | null;
  datasets?: { demographicsV1?: XealthDemographics | null; ehrUserV1?: XealthEhrUser | null } | null;
}

/** A patient as Xealth describes it (behavior-integrations.md §2.2). */
export interface XealthCriteria {
  mrn: string;
  firstName: string;
  lastName: string;
  /** First and last name, trimmed. */
  fullName: string;
  /** `YYYY-MM-DD`. */
  birthDate: string;
  /** The first e-mail of `telecom`; empty when there is none. */
  email: string;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The deployment the request names; 400 when missing. */
export function deploymentOf(request: XealthPatientRequest): string {
  if (typeof request.deployment !== 'string' || request.deployment === '') {
    throw XealthErrors.invalid('deployment is missing');
  }
  return request.deployment;
}

/**
 * The patient criteria of a request or of an order (§2.2): the MRN is the first `patientIdentity.ids`
 * entry whose `type` equals `mrnIdType` case-insensitively; names are the joined `given` / `family`
 * parts; the e-mail is the first `telecom` entry with `system = email`. Missing `datasets` or
 * `demographicsV1`, MRN, birth date or name: 400.
 */
export function criteriaOf(request: XealthPatientRequest, mrnIdType: string): XealthCriteria {
  if (!isObject(request.datasets)) throw XealthErrors.invalid('datasets is missing');
  const demographics = request.datasets.demographicsV1;
  if (!isObject(demographics)) throw XealthErrors.invalid('demographics dataset is missing');
  const wanted = mrnIdType.toLowerCase();
  const identity: unknown = request.patientIdentity;
  const ids: unknown[] = isObject(identity) && Array.isArray(identity.ids) ? (identity.ids as unknown[]) : [];
  const identifier = ids.find(
    (candidate): candidate is Record<string, unknown> =>
      isObject(candidate) && typeof candidate.type === 'string' && candidate.type.toLowerCase() === wanted,
  );
  const mrn = identifier && typeof identifier.id === 'string' ? identifier.id : '';
  if (!mrn) throw XealthErrors.mrnMissing();
  const name = isObject(demographics.name) ? demographics.name : {};
  const firstName = strings(name.given).join(' ');
  const lastName = strings(name.family).join(' ');
  const fullName = `${firstName} ${lastName}`.trim();
  const birthDate = typeof demographics.birthDate === 'string' ? demographics.birthDate : '';
  if (!birthDate) throw XealthErrors.invalid('date of birth is missing');
  if (!fullName) throw XealthErrors.invalid('full name is missing');
  const telecom: unknown[] = Array.isArray(demographics.telecom) ? (demographics.telecom as unknown[]) : [];
  const emailEntry = telecom.find(
    (entry): entry is Record<string, unknown> => isObject(entry) && entry.system === 'email',
  );
  const email = emailEntry && typeof emailEntry.value === 'string' ? emailEntry.value : '';
  return { mrn, firstName, lastName, fullName, birthDate, email };
}

/** The EHR user of the request (`datasets.ehrUserV1`), when it names one. */
export function ehrUserOf(request: XealthPatientRequest): { userId: string; systemLogin?: string } | undefined {
  const user = isObject(request.datasets) ? request.datasets.ehrUserV1 : undefined;
  if (!isObject(user) || typeof user.userId !== 'string' || user.userId === '') return undefined;
  return {
    userId: user.userId,
    ...(typeof user.systemLogin === 'string' && user.systemLogin ? { systemLogin: user.systemLogin } : {}),
  };
}

/** A minor: 13 years after the birth date is still to come. An unparseable birth date counts as an adult. */
export function isMinor(birthDate: string, now: Date = new Date()): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!match) return false;
  const thirteenth = Date.UTC(Number(match[1]) + 13, Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(thirteenth)) return false;
  return thirteenth > now.getTime();
}
