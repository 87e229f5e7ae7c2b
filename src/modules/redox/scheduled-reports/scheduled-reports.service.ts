import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import type { EhrProvider } from '../../clinics/ehr/dto/ehr-settings.dto';
import { EhrSettingsService } from '../../clinics/ehr/ehr-settings.service';
import {
  ActiveSubscription,
  EhrSubscriptionName,
  EhrSubscriptionsService,
} from '../../clinics/ehr/ehr-subscriptions.service';
import { RedoxMessagesRepository } from '../messages/redox-messages.repository';
import type { RedoxMessageRecord } from '../messages/redox-message.schema';
import { RedoxWriteGate } from '../redox-write-gate';
import type { ScheduledOrderRecord } from './scheduled-order.schema';
import { ScheduledOrdersRepository } from './scheduled-orders.repository';

/** Patients read (and orders scheduled) per batch. */
const BATCH_SIZE = 100;

/** Which subscription a scheduling run serves, and which integration's settings enable it. */
export interface ScheduledReportsTarget {
  provider: EhrProvider;
  subscription: EhrSubscriptionName;
}

export const REDOX_SUMMARY_AND_REPORTS: ScheduledReportsTarget = {
  provider: 'redox',
  subscription: EhrSubscriptionName.SummaryAndReports,
};

/**
 * SyncEHRData / SyncEHRDataForPatient (behavior-integrations.md §1.6): one scheduled order per patient
 * record with an active subscription — a single insert each, carrying the whole order the subscription
 * was last matched with (`lastMatchedOrder`) and the previous scheduled order for that order
 * (`precedingDocument`). Done in code without $lookup: patients in `_id` batches, their orders by id in
 * one read, the previous scheduled orders in one aggregation, then the inserts.
 */
@Injectable()
export class ScheduledReportsService {
  constructor(
    private readonly ehrSettings: EhrSettingsService,
    private readonly subscriptions: EhrSubscriptionsService,
    private readonly messages: RedoxMessagesRepository,
    private readonly scheduledOrders: ScheduledOrdersRepository,
    private readonly gate: RedoxWriteGate,
  ) {}

  /**
   * Every record of the clinic with an active subscription. 404 `couldn't find a matching clinic` when
   * the clinic's integration is missing or disabled.
   */
  async scheduleForClinic(
    clinicId: string,
    target: ScheduledReportsTarget = REDOX_SUMMARY_AND_REPORTS,
  ): Promise<number> {
    const clinic = await this.ehrSettings.requireEnabledClinic(clinicId, target.provider);
    const createdTime = new Date();
    let scheduled = 0;
    let after: Types.ObjectId | undefined;
    for (;;) {
      const page = await this.subscriptions.listActive(clinic._id, target.subscription, after, BATCH_SIZE);
      scheduled += await this.schedule(clinic._id, page.subscriptions, createdTime);
      if (page.subscriptions.length < BATCH_SIZE || !page.lastId) return scheduled;
      after = page.lastId;
    }
  }

  /**
   * The user's records with an active subscription in clinics whose integration is enabled and sends
   * reports after uploads. Nothing (and no error) when there are none.
   */
  async scheduleForPatient(
    userId: string,
    target: ScheduledReportsTarget = REDOX_SUMMARY_AND_REPORTS,
  ): Promise<number> {
    const active = await this.subscriptions.listActiveOfUser(userId, target.subscription);
    if (active.length === 0) return 0;
    const clinics = this.ehrSettings.reportingOnUpload(
      await this.ehrSettings.findClinics(active.map((subscription) => subscription.clinicId)),
      target.provider,
    );
    const createdTime = new Date();
    let scheduled = 0;
    for (const clinic of clinics) {
      const ofClinic = active.filter((subscription) => subscription.clinicId.equals(clinic._id));
      scheduled += await this.schedule(clinic._id, ofClinic, createdTime);
    }
    return scheduled;
  }

  private async schedule(
    clinicId: Types.ObjectId,
    subscriptions: ActiveSubscription[],
    createdTime: Date,
  ): Promise<number> {
    if (subscriptions.length === 0) return 0;
    const orderIds = distinctIds(subscriptions.map((subscription) => subscription.lastMatchedMessageId));
    const orders = new Map<string, RedoxMessageRecord>(
      (await this.messages.findByIds(orderIds)).map((order) => [order._id.toHexString(), order]),
    );
    return this.gate.scheduleOrders(clinicId, async (writer) => {
      const preceding = await this.scheduledOrders.latestByOrder([...orders.values()].map((order) => order._id));
      const records = subscriptions.map((subscription): ScheduledOrderRecord => {
        const key = subscription.lastMatchedMessageId?.toHexString();
        const order = key ? orders.get(key) : undefined;
        const previous = key ? preceding.get(key) : undefined;
        return {
          _id: new Types.ObjectId(),
          userId: subscription.userId,
          clinicId: subscription.clinicId,
          createdTime,
          ...(order ? { lastMatchedOrder: order } : {}),
          ...(order && previous ? { precedingDocument: { _id: previous._id, createdTime: previous.createdTime } } : {}),
        };
      });
      await writer.insert(records);
      return records.length;
    });
  }
}

function distinctIds(ids: Array<Types.ObjectId | undefined>): Types.ObjectId[] {
  const seen = new Map<string, Types.ObjectId>();
  for (const id of ids) if (id) seen.set(id.toHexString(), id);
  return [...seen.values()];
}
