import type { DataSourceRecord, PatientPermissionsRecord } from '../../clinics/patients/patient.schema';

export const PROGRAM_TITLE = 'Tidepool';

/** One program of GetPrograms' answer. */
export interface XealthProgram {
  title: string;
  programId: string;
  enrolledDate: string;
  has_alert: boolean;
  hasStatusView: boolean;
  description: string;
}

export interface ProgramValues {
  /** Latest `lastUpdatedDate` of the CGM and BGM summaries. */
  summaryLastUpdated?: Date;
  /** Latest `lastUploadDate` of the CGM and BGM summaries. */
  lastUpload?: Date;
  /** When the requesting EHR user last opened the report. */
  lastViewed?: Date;
  subscriptionActive: boolean;
  permissions?: PatientPermissionsRecord;
  dataSources?: DataSourceRecord[] | null;
}

/** `YYYY-MM-DD` (UTC), or `N/A`. */
export function dayOrNA(time: Date | undefined): string {
  return time ? time.toISOString().slice(0, 10) : 'N/A';
}

/** `Yes` when the patient has permissions and none of them is `custodian` (the account was claimed). */
export function claimedAccount(permissions: PatientPermissionsRecord | undefined): string {
  return permissions && permissions.custodian === undefined ? 'Yes' : 'No';
}

/**
 * One entry per provider, the most recently modified data source winning: `<Provider> (<state>)`,
 * providers title-cased except `twiist`, `pendingReconnect` shown as `pending reconnect`, sorted and
 * joined by `, `; `None` without data sources.
 */
export function cloudConnections(dataSources: DataSourceRecord[] | null | undefined): string {
  const latest = new Map<string, DataSourceRecord>();
  for (const source of dataSources ?? []) {
    if (!source.providerName) continue;
    const current = latest.get(source.providerName);
    if (!current || timeOf(source.modifiedTime) > timeOf(current.modifiedTime)) latest.set(source.providerName, source);
  }
  if (latest.size === 0) return 'None';
  return [...latest.values()]
    .map((source) => `${providerTitle(source.providerName)} (${stateText(source.state)})`)
    .sort()
    .join(', ');
}

function timeOf(time: Date | string | undefined): number {
  return time ? new Date(time).getTime() : 0;
}

function providerTitle(provider: string): string {
  if (provider === 'twiist') return provider;
  return provider.charAt(0).toUpperCase() + provider.slice(1).toLowerCase();
}

function stateText(state: string): string {
  return state === 'pendingReconnect' ? 'pending reconnect' : (state ?? '').toLowerCase();
}

/** `Last Upload: … | Last Viewed by You: … | Claimed Account?: … | Cloud Connections: …`. */
export function programDescription(values: ProgramValues): string {
  return [
    `Last Upload: ${dayOrNA(values.summaryLastUpdated)}`,
    `Last Viewed by You: ${dayOrNA(values.lastViewed)}`,
    `Claimed Account?: ${claimedAccount(values.permissions)}`,
    `Cloud Connections: ${cloudConnections(values.dataSources)}`,
  ].join(' | ');
}

/** An alert when the summary changed after the EHR user last looked. */
export function hasAlert(values: ProgramValues): boolean {
  return timeOf(values.summaryLastUpdated) > timeOf(values.lastViewed);
}

/** A status view once there is an upload and the subscription is active. */
export function hasStatusView(values: ProgramValues): boolean {
  return values.subscriptionActive && values.lastUpload !== undefined;
}

/** The later of two optional times. */
export function latest(...times: Array<Date | undefined>): Date | undefined {
  return times.reduce<Date | undefined>((best, time) => (time && (!best || time > best) ? time : best), undefined);
}

/** A stored summary date (a BSON date, or a string in older documents). */
export function asDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string' && value) {
    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? undefined : time;
  }
  return undefined;
}
