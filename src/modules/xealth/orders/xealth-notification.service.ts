import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import type { Principal } from '../../../auth/principal';
import { EhrPatientsService } from '../../clinics/ehr/ehr-patients.service';
import { EhrSubscriptionName, EhrSubscriptionsService } from '../../clinics/ehr/ehr-subscriptions.service';
import type { ClinicRecord } from '../../clinics/clinics/clinic.schema';
import type { PatientBody } from '../../clinics/patients/dto/patient-body.dto';
import type { ConnectionProvider, PatientRecord } from '../../clinics/patients/patient.schema';
import { PatientsService } from '../../clinics/patients/patients.service';
import { XealthRecordsRepository } from '../records/xealth-records.repository';
import type { PreorderGuardianRecord, XealthPreorderRecord } from '../records/xealth-records.schema';
import { XealthApiClient, XealthReadOrder } from '../xealth-api.client';
import { isObject, XealthCriteria, XealthPatientRequest } from '../xealth-criteria';
import { XealthErrors } from '../xealth-errors';
import { XEALTH_PROVIDER, XealthMatchService } from '../xealth-match.service';
import { XealthWriteGate } from '../xealth-write-gate';

/** The caller recorded for custodial accounts created from Xealth orders (no clinician invited them). */
const XEALTH_PRINCIPAL: Principal = { subjectId: 'xealth', isServer: true };

/** The order notification Xealth sends. */
interface OrderNotification extends XealthPatientRequest {
  eventId?: unknown;
  eventTimeStamp?: unknown;
  eventType?: unknown;
  eventContext?: unknown;
  orderId?: unknown;
  programId?: unknown;
  partnerId?: unknown;
}

/**
 * XealthNotification (behavior-integrations.md §2.5): a new or cancelled order for the clinic's
 * program is read from the Xealth API, stored in `xealth_order`, its patient matched (by MRN and
 * birth date) or — for a new order only — created as a custodial patient from the pre-order form, and
 * the patient's `xealthReports` subscription activated or deactivated. Everything that can fail is
 * checked before the first write.
 */
@Injectable()
export class XealthNotificationService {
  constructor(
    private readonly matching: XealthMatchService,
    private readonly client: XealthApiClient,
    private readonly records: XealthRecordsRepository,
    private readonly gate: XealthWriteGate,
    private readonly patients: PatientsService,
    private readonly ehrPatients: EhrPatientsService,
    private readonly subscriptions: EhrSubscriptionsService,
  ) {}

  async handle(body: unknown): Promise<void> {
    if (!isObject(body)) throw XealthErrors.invalid('the request body must be a JSON object');
    const notification = body as OrderNotification;
    if (notification.eventType !== 'order') return;
    if (notification.eventContext !== 'new' && notification.eventContext !== 'cancel') return;
    const isNew = notification.eventContext === 'new';
    if (typeof notification.deployment !== 'string' || !notification.deployment) return;
    const clinic = await this.matching.findClinicIfAny(notification.deployment);
    if (!clinic) return;
    const programId = clinic.ehrSettings?.procedureCodes?.createAccountAndEnableReports;
    if (!programId || programId !== notification.programId) return;
    if (typeof notification.orderId !== 'string' || !notification.orderId) {
      throw XealthErrors.invalid('orderId is missing');
    }

    const order = await this.client.readOrder(notification.deployment, notification.orderId);
    const preorder = await this.preorderOf(order);
    const { criteria, patient } = await this.matching.matchPatient(clinic, order as XealthPatientRequest, {
      withBirthDate: true,
    });
    // A cancelled order for a patient we do not know: nothing to record.
    if (!patient && !isNew) return;
    const person = preorder?.patient ?? preorder?.guardian;
    if (!patient && !person) throw XealthErrors.invalid('the order has no pre-order data for a new patient');

    const matched = patient ?? (await this.createPatient(clinic, criteria, preorder!, person!));
    const orderId = new Types.ObjectId();
    await this.gate.run(`order:${orderId.toHexString()}`, (writer) =>
      writer.insertOrder({ _id: orderId, eventNotification: storedNotification(notification), orderData: order }),
    );
    await this.subscriptions.updateSubscription(clinic._id.toHexString(), matched.userId, {
      name: EhrSubscriptionName.XealthReports,
      provider: XEALTH_PROVIDER,
      active: isNew,
      matchedMessage: { id: orderId, dataModel: 'order', eventType: notification.eventContext },
    });
  }

  /** The pre-order form data the order refers to: none without `preorder.dataTrackingId`; 404 when not stored. */
  private async preorderOf(order: XealthReadOrder): Promise<XealthPreorderRecord | undefined> {
    const dataTrackingId = isObject(order.preorder) ? order.preorder.dataTrackingId : undefined;
    if (typeof dataTrackingId !== 'string') return undefined;
    const preorder = await this.records.findPreorder(dataTrackingId);
    if (!preorder) throw XealthErrors.preorderNotFound();
    return preorder;
  }

  /**
   * A custodial patient from the order's demographics and the pre-order form: its e-mail, the tags the
   * clinic has, and a pending data source and connection request for each provider to connect (only
   * with an e-mail).
   */
  private async createPatient(
    clinic: ClinicRecord,
    criteria: XealthCriteria,
    preorder: XealthPreorderRecord,
    person: PreorderGuardianRecord,
  ): Promise<PatientRecord> {
    const email = person.email?.trim() || undefined;
    const clinicTags = new Set((clinic.patientTags ?? []).map((tag) => String(tag._id)));
    const tags = (preorder.tags?.ids ?? []).filter((id) => clinicTags.has(id));
    const providers: ConnectionProvider[] = [];
    if (email && person.connectAbbott) providers.push('abbott');
    if (email && person.connectDexcom) providers.push('dexcom');
    const body: PatientBody = {
      fullName: criteria.fullName,
      birthDate: criteria.birthDate,
      mrn: criteria.mrn,
      ...(email ? { email } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      ...(providers.length > 0
        ? { dataSources: providers.map((providerName) => ({ providerName, state: 'pending' })) }
        : {}),
    };
    const clinicId = clinic._id.toHexString();
    const created = await this.patients.createPatientAccount(XEALTH_PRINCIPAL, clinicId, body);
    return this.ehrPatients.requestConnections(clinicId, created.id, providers);
  }
}

/** The notification as stored: as received, with `eventTimeStamp` as a date when it is one. */
function storedNotification(notification: OrderNotification): Record<string, unknown> {
  const stored: Record<string, unknown> = { ...notification };
  if (typeof notification.eventTimeStamp === 'string') {
    const time = new Date(notification.eventTimeStamp);
    if (!Number.isNaN(time.getTime())) stored.eventTimeStamp = time;
  }
  return stored;
}
