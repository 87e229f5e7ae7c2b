import type { EhrSettingsRecord } from '../clinics/clinic.schema';
import type { EhrSettingsDto } from './dto/ehr-settings.dto';

/** Read default of `mrnIdType` (behavior-integrations.md §1.7). */
export const DEFAULT_MRN_ID_TYPE = 'MRN';
/** Read default of `scheduledReports.cadence`. */
export const DEFAULT_REPORT_CADENCE = '14d';

/**
 * The stored form of UpdateEHRSettings' body: optional keys left out when unset, `destinationIds`
 * null when absent, `onUploadNoteEventType` kept only when `onUploadEnabled` (defaulting to `New`),
 * `flowsheets.icode` and `notes.includeGmi` left out when false.
 */
export function toStoredEhrSettings(settings: EhrSettingsDto): EhrSettingsRecord {
  const procedureCodes = presentProcedureCodes(settings.procedureCodes);
  const scheduled = settings.scheduledReports;
  const tags: NonNullable<EhrSettingsRecord['tags']> = { codes: settings.tags.codes ?? null };
  if (settings.tags.separator !== undefined) tags.separator = settings.tags.separator;
  return {
    enabled: settings.enabled,
    provider: settings.provider,
    sourceId: settings.sourceId,
    mrnIdType: settings.mrnIdType,
    procedureCodes,
    destinationIds: settings.destinationIds
      ? {
          flowsheet: settings.destinationIds.flowsheet,
          notes: settings.destinationIds.notes,
          results: settings.destinationIds.results,
        }
      : null,
    scheduledReports: {
      cadence: scheduled.cadence,
      onUploadEnabled: scheduled.onUploadEnabled,
      onUploadNoteEventType: scheduled.onUploadEnabled ? (scheduled.onUploadNoteEventType ?? 'New') : null,
    },
    tags,
    flowsheets: settings.flowsheets.icode ? { icode: true } : {},
    notes: settings.notes?.includeGMI ? { includeGmi: true } : {},
  };
}

/** `ehrSettings.v1` from the stored settings, with the read defaults of §1.7. */
export function toEhrSettingsResponse(stored: EhrSettingsRecord): EhrSettingsDto {
  const procedureCodes = presentProcedureCodes(stored.procedureCodes ?? {});
  const scheduled = stored.scheduledReports ?? {};
  const response: EhrSettingsDto = {
    enabled: stored.enabled === true,
    sourceId: stored.sourceId ?? '',
    procedureCodes,
    mrnIdType: stored.mrnIdType || DEFAULT_MRN_ID_TYPE,
    provider: stored.provider as EhrSettingsDto['provider'],
    scheduledReports: {
      onUploadEnabled: scheduled.onUploadEnabled === true,
      cadence: (scheduled.cadence || DEFAULT_REPORT_CADENCE) as EhrSettingsDto['scheduledReports']['cadence'],
    },
    tags: { codes: stored.tags?.codes ?? null },
    flowsheets: { icode: stored.flowsheets?.icode === true },
  };
  if (scheduled.onUploadNoteEventType) {
    response.scheduledReports.onUploadNoteEventType =
      scheduled.onUploadNoteEventType as EhrSettingsDto['scheduledReports']['onUploadNoteEventType'];
  }
  if (stored.tags?.separator) response.tags.separator = stored.tags.separator;
  if (stored.destinationIds) {
    response.destinationIds = {
      flowsheet: stored.destinationIds.flowsheet,
      results: stored.destinationIds.results,
      notes: stored.destinationIds.notes,
    };
  }
  if (stored.notes?.includeGmi) response.notes = { includeGMI: true };
  return response;
}

type ProcedureCodes = NonNullable<EhrSettingsRecord['procedureCodes']>;
const PROCEDURE_CODE_KEYS = [
  'enableSummaryReports',
  'disableSummaryReports',
  'createAccount',
  'createAccountAndEnableReports',
] as const satisfies ReadonlyArray<keyof ProcedureCodes>;

/** The procedure codes that are set (each left out when unset). */
function presentProcedureCodes(codes: ProcedureCodes): ProcedureCodes {
  const present: ProcedureCodes = {};
  for (const key of PROCEDURE_CODE_KEYS) {
    if (typeof codes[key] === 'string') present[key] = codes[key];
  }
  return present;
}

/** The MRN identifier type of a clinic's settings (default `MRN`), compared case-insensitively. */
export function mrnIdTypeOf(stored: EhrSettingsRecord | undefined): string {
  return stored?.mrnIdType || DEFAULT_MRN_ID_TYPE;
}
