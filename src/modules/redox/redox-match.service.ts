import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { ApiError } from '../../common/errors/api-error';
import { EhrSettingsService } from '../clinics/ehr/ehr-settings.service';
import { mrnIdTypeOf } from '../clinics/ehr/ehr-settings';
import {
  EhrSubscriptionName,
  EhrSubscriptionsService,
  type EhrSubscriptionUpdate,
} from '../clinics/ehr/ehr-subscriptions.service';
import type { EhrMatchRequestDto, EhrMatchResponseDto } from './dto/ehr-match.dto';
import { RedoxMessagesRepository } from './messages/redox-messages.repository';
import { matchFilterFor, patientMatchValues, RedoxMessagePayload, sourceIdOf } from './redox-order';

const DOCUMENT_ID = /^[0-9a-fA-F]{24}$/;
const REDOX_PROVIDER = 'redox';

export const MatchErrors = {
  messageRefRequired: (): ApiError => ApiError.badRequest('messageRef is required'),
  invalidDocumentId: (): ApiError => ApiError.badRequest('invalid documentId'),
  onlyNewOrders: (): ApiError => ApiError.badRequest('only new order messages are supported'),
  /** The established service answered 500 here. */
  orderNotFound: (): ApiError => ApiError.notFound('order message'),
  noEhrSettings: (): ApiError => ApiError.badRequest('clinic has no EHR settings'),
};

/** MatchClinicAndPatient (behavior-integrations.md §1.4): a stored Redox order → clinic and patients. */
@Injectable()
export class RedoxMatchService {
  constructor(
    private readonly messages: RedoxMessagesRepository,
    private readonly ehrSettings: EhrSettingsService,
    private readonly subscriptions: EhrSubscriptionsService,
  ) {}

  /** `request` is undefined when no body was sent. */
  async match(request: EhrMatchRequestDto | undefined): Promise<EhrMatchResponseDto> {
    const ref = request?.messageRef;
    if (!ref) throw MatchErrors.messageRefRequired();
    if (!DOCUMENT_ID.test(ref.documentId)) throw MatchErrors.invalidDocumentId();
    if (ref.dataModel !== 'Order' || ref.eventType !== 'New') throw MatchErrors.onlyNewOrders();
    const documentId = new Types.ObjectId(ref.documentId.toLowerCase());
    const stored = await this.messages.findMessage(documentId, ref.dataModel, ref.eventType);
    if (!stored) throw MatchErrors.orderNotFound();
    const order = (stored.message ?? {}) as RedoxMessagePayload;

    const options = request?.patients;
    const update: EhrSubscriptionUpdate | undefined = options?.onUniqueMatch
      ? {
          name: EhrSubscriptionName.SummaryAndReports,
          provider: REDOX_PROVIDER,
          active: options.onUniqueMatch === 'ENABLE_REPORTS',
          matchedMessage: { id: documentId, dataModel: stored.meta.DataModel, eventType: stored.meta.EventType },
        }
      : undefined;

    const clinic = await this.ehrSettings.findClinicBySource(REDOX_PROVIDER, sourceIdOf(stored.meta));
    if (!clinic.ehrSettings) throw MatchErrors.noEhrSettings();
    const clinicId = clinic._id.toHexString();
    const values = patientMatchValues(order, mrnIdTypeOf(clinic.ehrSettings));

    const patients =
      values && options
        ? await this.subscriptions.matchPatients(
            clinicId,
            options.criteria.map((criterion) => matchFilterFor(criterion, values)),
          )
        : [];
    // Only a unique match changes the subscription (0 or several: nothing is written).
    if (update && patients.length === 1) {
      await this.subscriptions.updateSubscription(clinicId, patients[0].id, update);
    }
    return {
      clinic: await this.ehrSettings.describe(clinic),
      patients,
      settings: this.ehrSettings.settingsOf(clinic),
    };
  }
}
