import { Types } from 'mongoose';
import type { UserProfile } from '../../src/auth/directory/user-directory';
import type { TestApp } from './test-app';

export interface UserPatient {
  userId: string;
  /** The patient's own session token. */
  token: string;
  email: string;
  /** The CreatePatientFromUser response. */
  patient: any;
}

/**
 * A user of the embedded directory made a patient of the clinic through the real API
 * (CreatePatientFromUser with a server token). By default the patient shares `view` and `upload`.
 */
export async function addUserPatient(
  t: TestApp,
  clinicId: string,
  options: { profile?: UserProfile; body?: Record<string, unknown>; fullName?: string; email?: string } = {},
): Promise<UserPatient> {
  const user = await t.users.create({
    roles: [],
    ...(options.fullName ? { fullName: options.fullName } : {}),
    ...(options.email ? { email: options.email } : {}),
    profile: options.profile ?? { fullName: options.fullName ?? 'Patient Person', patient: { birthday: '2012-08-30' } },
  });
  const res = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients/${user.userId}`, {
    token: await t.tokens.server(),
    body: options.body ?? { permissions: { view: {}, upload: {} } },
  });
  if (res.status !== 200) throw new Error(`CreatePatientFromUser answered ${res.status}: ${res.text}`);
  return { userId: user.userId, token: user.token, email: user.emails[0], patient: res.body };
}

/** A custodial patient made through the real API (CreatePatientAccount). */
export async function addCustodialPatient(
  t: TestApp,
  clinicId: string,
  token: string,
  body: Record<string, unknown> = {},
): Promise<any> {
  const res = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
    token,
    body: { fullName: 'Cora Custodial', birthDate: '2015-06-07', ...body },
  });
  if (res.status !== 200) throw new Error(`CreatePatientAccount answered ${res.status}: ${res.text}`);
  return res.body;
}

/** Sets the clinic's MRN rules through the real API (UpdateMRNSettings). */
export async function setMrnSettings(t: TestApp, clinicId: string, required: boolean, unique: boolean): Promise<void> {
  const res = await t.call('PUT', `/v1/clinics/${clinicId}/settings/mrn`, {
    token: await t.tokens.server(),
    body: { required, unique },
  });
  if (res.status !== 200) throw new Error(`UpdateMRNSettings answered ${res.status}: ${res.text}`);
}

/** Sets the clinic's hard plan limit through the real API (UpdatePatientCountSettings). */
export async function setHardLimit(
  t: TestApp,
  clinicId: string,
  hardLimit: { plan: number; startDate?: string; endDate?: string },
): Promise<void> {
  const res = await t.call('PUT', `/v1/clinics/${clinicId}/settings/patient_count`, {
    token: await t.tokens.server(),
    body: { hardLimit },
  });
  if (res.status !== 200) throw new Error(`UpdatePatientCountSettings answered ${res.status}: ${res.text}`);
}

export function findPatientDocument(t: TestApp, clinicId: string, userId: string): Promise<any> {
  return t.connection.collection('patients').findOne({ clinicId: new Types.ObjectId(clinicId), userId });
}

export function findPatientDocuments(t: TestApp, clinicId: string): Promise<any[]> {
  return t.connection
    .collection('patients')
    .find({ clinicId: new Types.ObjectId(clinicId) })
    .toArray();
}

export function findPatientArchives(t: TestApp, userId: string): Promise<any[]> {
  return t.connection.collection('patient_deletions').find({ 'patient.userId': userId }).toArray();
}

/**
 * The clinic's patient counts computed here from its documents, independently of the service:
 * total; the demo user; plan (not demo, no twiist data source); per provider and state (not demo).
 */
export async function expectedPatientCount(
  t: TestApp,
  clinicId: string,
  demoUserId?: string,
): Promise<{ total: number; demo: number; plan: number; providers?: Record<string, any> }> {
  const documents = await findPatientDocuments(t, clinicId);
  const counted = documents.filter((document) => document.userId !== demoUserId);
  const providers: Record<string, { total: number; states: Record<string, number> }> = {};
  for (const document of counted) {
    for (const source of document.dataSources ?? []) {
      const provider = (providers[source.providerName] ??= { total: 0, states: {} });
      provider.total += 1;
      provider.states[source.state] = (provider.states[source.state] ?? 0) + 1;
    }
  }
  return {
    total: documents.length,
    demo: documents.length - counted.length,
    plan: counted.filter((document) =>
      (document.dataSources ?? []).every((source: any) => source.providerName !== 'twiist'),
    ).length,
    ...(Object.keys(providers).length > 0 ? { providers } : {}),
  };
}

/** GetPatientCount answers exactly what the documents say. */
export async function expectCountsExact(t: TestApp, clinicId: string, demoUserId?: string): Promise<void> {
  const res = await t.call('GET', `/v1/clinics/${clinicId}/patient_count`, { token: await t.tokens.server() });
  expect(res.status).toBe(200);
  expect(res.body).toEqual(await expectedPatientCount(t, clinicId, demoUserId));
}

/** A `cgmPeriod.v1` with every required field. */
export function cgmPeriod(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const period: Record<string, unknown> = {
    min: 3.1,
    minDelta: 0,
    max: 14.2,
    maxDelta: 0,
    standardDeviation: 1.5,
    standardDeviationDelta: 0,
    coefficientOfVariation: 0.2,
    coefficientOfVariationDelta: 0,
    hoursWithData: 300,
    hoursWithDataDelta: 0,
    daysWithData: 14,
    daysWithDataDelta: 0,
    hasAverageGlucoseMmol: true,
    averageGlucoseMmol: 7.2,
    hasGlucoseManagementIndicator: true,
    glucoseManagementIndicator: 6.6,
    hasTimeCGMUsePercent: true,
    timeCGMUsePercent: 0.91,
    hasTimeCGMUseMinutes: true,
    timeCGMUseMinutes: 18000,
    hasTimeCGMUseRecords: true,
    timeCGMUseRecords: 3600,
    hasTotalRecords: true,
    totalRecords: 3600,
    hasAverageDailyRecords: true,
    averageDailyRecords: 257,
  };
  for (const range of ['Target', 'High', 'VeryHigh', 'ExtremeHigh', 'Low', 'VeryLow', 'AnyLow', 'AnyHigh']) {
    for (const unit of ['Percent', 'Minutes', 'Records']) {
      period[`hasTimeIn${range}${unit}`] = true;
      period[`timeIn${range}${unit}`] = unit === 'Percent' ? 0.1 : 100;
    }
  }
  return { ...period, ...overrides };
}

/** A `bgmPeriod.v1` with every required field. */
export function bgmPeriod(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const period: Record<string, unknown> = {
    min: 3.4,
    minDelta: 0,
    max: 12.1,
    maxDelta: 0,
    daysWithData: 10,
    daysWithDataDelta: 0,
    hasAverageGlucoseMmol: true,
    averageGlucoseMmol: 7.8,
    hasTotalRecords: true,
    totalRecords: 40,
    hasAverageDailyRecords: true,
    averageDailyRecords: 4,
  };
  for (const range of ['Target', 'High', 'VeryHigh', 'ExtremeHigh', 'Low', 'VeryLow', 'AnyLow', 'AnyHigh']) {
    for (const unit of ['Percent', 'Records']) {
      period[`hasTimeIn${range}${unit}`] = true;
      period[`timeIn${range}${unit}`] = unit === 'Percent' ? 0.1 : 4;
    }
  }
  return { ...period, ...overrides };
}

/** A `cgmStats.v1`/`bgmStats.v1` with config, dates and the four periods. */
export function summaryStats(
  kind: 'cgm' | 'bgm',
  id: string,
  lastData = '2024-05-01T10:00:00.000Z',
): Record<string, unknown> {
  const period = kind === 'cgm' ? cgmPeriod : bgmPeriod;
  return {
    id,
    config: {
      schemaVersion: 5,
      highGlucoseThreshold: 10,
      veryHighGlucoseThreshold: 13.9,
      lowGlucoseThreshold: 3.9,
      veryLowGlucoseThreshold: 3,
    },
    dates: {
      hasFirstData: true,
      firstData: '2024-01-01T00:00:00.000Z',
      hasLastData: true,
      lastData,
      hasLastUploadDate: true,
      lastUploadDate: lastData,
      hasOutdatedSince: false,
      lastUpdatedDate: '2024-05-01T11:00:00.000Z',
      lastUpdatedReason: ['UPLOAD_COMPLETED'],
    },
    periods: { '1d': period(), '7d': period(), '14d': period(), '30d': period() },
  };
}

/** A fresh 24-character summary id. */
export function summaryId(): string {
  return new Types.ObjectId().toHexString();
}
