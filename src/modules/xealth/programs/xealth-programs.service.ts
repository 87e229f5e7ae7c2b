import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Types } from 'mongoose';
import { UserDirectory } from '../../../auth/directory/user-directory';
import { mailConfig } from '../../../config/mail.config';
import { EhrSubscriptionName } from '../../clinics/ehr/ehr-subscriptions.service';
import type { EhrSubscriptionRecord, PatientRecord } from '../../clinics/patients/patient.schema';
import { XealthRecordsRepository } from '../records/xealth-records.repository';
import { deploymentOf, ehrUserOf, isObject, XealthPatientRequest } from '../xealth-criteria';
import { XealthErrors } from '../xealth-errors';
import { XEALTH_PROVIDER, XealthMatchService } from '../xealth-match.service';
import { XealthWriteGate } from '../xealth-write-gate';
import {
  asDate,
  hasAlert,
  hasStatusView,
  latest,
  PROGRAM_TITLE,
  programDescription,
  ProgramValues,
  XealthProgram,
} from './xealth-program';

export interface ProgramsResponse {
  present: boolean;
  programs?: XealthProgram[];
}

interface ProgramUrlRequest extends XealthPatientRequest {
  programId?: unknown;
}

export const VIEWER_PATH = '/v1/xealth/report/web/viewer.html';

/**
 * XealthGetPrograms (behavior-integrations.md §2.6) and XealthGetProgramUrl (§2.7): the Tidepool
 * program of an enrolled patient with its status line, and the link to the patient's report viewer.
 */
@Injectable()
export class XealthProgramsService {
  private readonly logger = new Logger(XealthProgramsService.name);

  constructor(
    private readonly matching: XealthMatchService,
    private readonly records: XealthRecordsRepository,
    private readonly gate: XealthWriteGate,
    private readonly directory: UserDirectory,
    @Inject(mailConfig.KEY) private readonly mail: ConfigType<typeof mailConfig>,
  ) {}

  async getPrograms(body: unknown): Promise<ProgramsResponse> {
    const none: ProgramsResponse = { present: false };
    if (!isObject(body)) throw XealthErrors.invalid('the request body must be a JSON object');
    const request = body as XealthPatientRequest;
    const clinic = await this.matching.findClinicIfAny(deploymentOf(request));
    if (!clinic) return none;
    const { patient } = await this.matching.matchPatient(clinic, request, { withBirthDate: true });
    if (!patient) return none;
    const subscription = activeSubscription(patient);
    const lastMessage = subscription?.matchedMessages?.[subscription.matchedMessages.length - 1];
    if (!subscription || !lastMessage?.id) return none;
    const order = await this.records.findOrder(new Types.ObjectId(String(lastMessage.id)));
    if (!order) throw XealthErrors.orderNotFound();
    const notification = order.eventNotification;
    const programId = typeof notification.programId === 'string' ? notification.programId : '';
    const ehrUser = ehrUserOf(request);
    const view = ehrUser
      ? await this.records.findLastView({
          userId: ehrUser.userId,
          deployment: deploymentOf(request),
          programId,
          clinicId: clinic._id,
          patientUserId: patient.userId,
        })
      : null;
    const values: ProgramValues = {
      summaryLastUpdated: latest(
        asDate(patient.summary?.cgmStats?.dates?.lastUpdatedDate),
        asDate(patient.summary?.bgmStats?.dates?.lastUpdatedDate),
      ),
      lastUpload: latest(
        asDate(patient.summary?.cgmStats?.dates?.lastUploadDate),
        asDate(patient.summary?.bgmStats?.dates?.lastUploadDate),
      ),
      lastViewed: view ? asDate(view.createdTime) : undefined,
      subscriptionActive: subscription.active,
      permissions: patient.permissions,
      dataSources: patient.dataSources,
    };
    const enrolled = asDate(notification.eventTimeStamp);
    return {
      present: true,
      programs: [
        {
          title: PROGRAM_TITLE,
          programId,
          enrolledDate: enrolled ? enrolled.toISOString().slice(0, 10) : '',
          has_alert: hasAlert(values),
          hasStatusView: hasStatusView(values),
          description: programDescription(values),
        },
      ],
    };
  }

  async getProgramUrl(body: unknown): Promise<{ url: string }> {
    if (!isObject(body)) throw XealthErrors.invalid('the request body must be a JSON object');
    const request = body as ProgramUrlRequest;
    const deployment = deploymentOf(request);
    const { clinic, patient } = await this.matching.match(request, { withBirthDate: true });
    if (!patient) throw XealthErrors.patientNotFound();
    const token = await this.directory.createRestrictedToken(patient.userId);
    const query = new URLSearchParams([
      ['clinicId', clinic._id.toHexString()],
      ['patientId', patient.userId],
      ['restricted_token', token.id],
    ]);
    const url = `${this.mail.webUrl}${VIEWER_PATH}?${query.toString()}`;
    const ehrUser = ehrUserOf(request);
    if (ehrUser) {
      const programId =
        typeof request.programId === 'string' || typeof request.programId === 'number' ? String(request.programId) : '';
      try {
        await this.gate.run(`report-view:${patient.userId}`, (writer) =>
          writer.insertReportView({
            _id: new Types.ObjectId(),
            userId: ehrUser.userId,
            deployment,
            ...(ehrUser.systemLogin ? { systemLogin: ehrUser.systemLogin } : {}),
            patientUserId: patient.userId,
            programId,
            clinicId: clinic._id,
            createdTime: new Date(),
          }),
        );
      } catch (error) {
        // The link is what Xealth needs; a lost view only affects the "last viewed" line.
        this.logger.error({ err: error, clinicId: clinic._id.toHexString() }, 'could not record a report view');
      }
    }
    return { url };
  }
}

/** The patient's `xealthReports` subscription, when it is Xealth's, active and has a matched order. */
function activeSubscription(patient: PatientRecord): EhrSubscriptionRecord | undefined {
  const subscription = patient.ehrSubscriptions?.[EhrSubscriptionName.XealthReports];
  if (!subscription || subscription.provider !== XEALTH_PROVIDER || !subscription.active) return undefined;
  if (!subscription.matchedMessages?.length) return undefined;
  return subscription;
}
