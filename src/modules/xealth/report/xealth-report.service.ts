import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { UserDirectory } from '../../../auth/directory/user-directory';
import { mailConfig } from '../../../config/mail.config';
import { ClinicErrors } from '../../clinics/clinic-errors';
import { EhrPatientsService } from '../../clinics/ehr/ehr-patients.service';
import { EhrSubscriptionName } from '../../clinics/ehr/ehr-subscriptions.service';
import { ClinicsService } from '../../clinics/clinics/clinics.service';
import { PatientErrors } from '../../clinics/patients/patient-errors';
import type { PatientRecord } from '../../clinics/patients/patient.schema';
import type { ClinicRecord } from '../../clinics/clinics/clinic.schema';
import { asDate, latest } from '../programs/xealth-program';
import { XealthErrors } from '../xealth-errors';
import { renderViewerPage, VIEWER_ASSETS } from './report-page';

/** The folder of the installed `pdfjs-dist` package, or undefined when it is not installed. */
export const XEALTH_VIEWER_ASSETS_DIR = Symbol('XEALTH_VIEWER_ASSETS_DIR');

export function pdfjsDistFolder(): string | undefined {
  try {
    return dirname(require.resolve('pdfjs-dist/package.json'));
  } catch {
    return undefined;
  }
}

const OBJECT_ID = /^[0-9a-f]{24}$/;
/** The report covers the 14 days up to the patient's last data. */
const REPORT_PERIOD_MS = 14 * 24 * 60 * 60 * 1000;

export interface ViewerAsset {
  contentType: string;
  body: Buffer;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.gif': 'image/gif',
  '.png': 'image/png',
};
/** The images the viewer's style sheet refers to (`web/images/…` in pdfjs-dist). */
const VIEWER_IMAGE = /^web\/images\/[A-Za-z0-9_-]+\.(svg|gif|png)$/;

/**
 * ViewPDFReport (behavior-integrations.md §2.8): with a valid restricted token for the patient, the
 * PDF.js viewer page pointed at the patient's report export in the web application; and the viewer's
 * own assets.
 */
@Injectable()
export class XealthReportService {
  private readonly logger = new Logger(XealthReportService.name);

  constructor(
    private readonly directory: UserDirectory,
    private readonly clinics: ClinicsService,
    private readonly ehrPatients: EhrPatientsService,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
    @Inject(XEALTH_VIEWER_ASSETS_DIR) private readonly assetsDir: string | undefined,
  ) {}

  async viewerPage(query: { clinicId?: unknown; patientId?: unknown; restricted_token?: unknown }): Promise<string> {
    const tokenId = typeof query.restricted_token === 'string' ? query.restricted_token : '';
    const patientId = typeof query.patientId === 'string' ? query.patientId : '';
    const clinicId = typeof query.clinicId === 'string' ? query.clinicId : '';
    const token = tokenId ? await this.directory.getRestrictedToken(tokenId) : undefined;
    if (
      !token ||
      !patientId ||
      token.userId !== patientId ||
      !(new Date(token.expirationTime).getTime() > Date.now())
    ) {
      throw XealthErrors.invalidRestrictedToken();
    }
    if (!OBJECT_ID.test(clinicId)) throw ClinicErrors.clinicNotFound();
    const clinic = await this.clinics.requireClinic(clinicId);
    const patient = await this.ehrPatients.findPatient(clinicId, patientId);
    if (!patient) throw PatientErrors.patientNotFound();
    const subscription = patient.ehrSubscriptions?.[EhrSubscriptionName.XealthReports];
    if (clinic.ehrSettings?.enabled !== true || subscription?.active !== true)
      throw XealthErrors.noActiveSubscription();
    return renderViewerPage(this.exportUrl(clinic, patient, tokenId));
  }

  /**
   * `{WEB_URL}/export/report/{userId}` with the query keys sorted and the values form-encoded: bgUnits
   * and tzName from the clinic when set, the patient's dob, fullName and mrn, the 14 days up to the
   * last data (RFC 3339 UTC without fractions; none without data), `inline=true`, `reports=all`, the
   * restricted token and the user id.
   */
  exportUrl(clinic: ClinicRecord, patient: PatientRecord, tokenId: string): string {
    if (!patient.birthDate || !patient.mrn || !patient.fullName) throw XealthErrors.incompletePatient();
    const params: Array<[string, string]> = [
      ['dob', patient.birthDate],
      ['fullName', patient.fullName],
      ['inline', 'true'],
      ['mrn', patient.mrn],
      ['reports', 'all'],
      ['restricted_token', tokenId],
      ['userId', patient.userId],
    ];
    if (clinic.preferredBgUnits) params.push(['bgUnits', clinic.preferredBgUnits]);
    if (clinic.timezone) params.push(['tzName', clinic.timezone]);
    const lastData = latest(
      asDate(patient.summary?.cgmStats?.dates?.lastData),
      asDate(patient.summary?.bgmStats?.dates?.lastData),
    );
    if (lastData) {
      const end = new Date(Math.floor(lastData.getTime() / 1000) * 1000);
      params.push(['endDate', rfc3339(end)], ['startDate', rfc3339(new Date(end.getTime() - REPORT_PERIOD_MS))]);
    }
    params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `${this.mail.webUrl}/export/report/${encodeURIComponent(patient.userId)}?${new URLSearchParams(params).toString()}`;
  }

  /** One of the viewer's assets (`build/pdf.mjs`, …, the style sheet's images); undefined for anything else. */
  async asset(path: string): Promise<ViewerAsset | undefined> {
    const listed = Object.prototype.hasOwnProperty.call(VIEWER_ASSETS, path) ? VIEWER_ASSETS[path] : undefined;
    const source = listed ?? (VIEWER_IMAGE.test(path) ? path : undefined);
    if (!source) return undefined;
    if (!this.assetsDir) {
      this.logger.error('the pdfjs-dist package is not installed: the report viewer cannot load its assets');
      return undefined;
    }
    const extension = source.slice(source.lastIndexOf('.'));
    try {
      return {
        contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
        body: await readFile(join(this.assetsDir, source)),
      };
    } catch (error) {
      this.logger.error({ err: error, path }, 'a report viewer asset could not be read');
      return undefined;
    }
  }
}

function rfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
