import { Injectable } from '@nestjs/common';
import { Types } from 'mongoose';
import { ClinicWriteGate } from '../clinic-write-gate';
import { toPatientResponse, type PatientResponse } from '../patients/dto/patient-response.dto';
import { PatientErrors } from '../patients/patient-errors';
import type { EhrMatchedMessageRecord, EhrSubscriptionRecord, PatientRecord } from '../patients/patient.schema';
import { EhrMatchFilter, PatientsRepository } from '../patients/patients.repository';

export type { EhrMatchFilter };
import { EhrErrors } from './ehr-errors';

/** Subscription names (keys of a patient's `ehrSubscriptions`). */
export const EhrSubscriptionName = {
  /** Redox: summary statistics and PDF reports. */
  SummaryAndReports: 'summaryAndReports',
  /** Xealth: reports. */
  XealthReports: 'xealthReports',
} as const;
export type EhrSubscriptionName = (typeof EhrSubscriptionName)[keyof typeof EhrSubscriptionName];

/** One subscription change (behavior-integrations.md §1.5). */
export interface EhrSubscriptionUpdate {
  name: EhrSubscriptionName;
  provider: string;
  active: boolean;
  /** The message that asked for it; its document id makes the update idempotent. */
  matchedMessage: { id: Types.ObjectId; dataModel: string; eventType: string };
}

/** A record with an active subscription, and the id of the message it was last matched with. */
export interface ActiveSubscription {
  userId: string;
  clinicId: Types.ObjectId;
  /** The last `matchedMessages` entry's document id; undefined when the subscription holds none. */
  lastMatchedMessageId?: Types.ObjectId;
}

/** How many times a subscription update re-reads the record when it changed in between. */
const SUBSCRIPTION_UPDATE_ATTEMPTS = 3;
/** At most this many records per patient match query (as in the established service). */
const MATCH_LIMIT = 100;

/**
 * Patients' EHR subscriptions and EHR patient matching, for the EHR integrations (Redox, Xealth).
 * Subscriptions are written inside the clinic's write gate.
 */
@Injectable()
export class EhrSubscriptionsService {
  constructor(
    private readonly patients: PatientsRepository,
    private readonly gate: ClinicWriteGate,
  ) {}

  /**
   * The clinic's records matching each query in turn (at most 100 each, by name then `_id`),
   * concatenated and de-duplicated by user id (first occurrence wins).
   */
  async matchPatients(clinicId: string, queries: EhrMatchFilter[]): Promise<PatientResponse[]> {
    const results = await Promise.all(
      queries.map((values) => this.patients.findEhrMatches(clinicId, values, MATCH_LIMIT)),
    );
    const seen = new Set<string>();
    const matched: PatientRecord[] = [];
    for (const record of results.flat()) {
      if (seen.has(record.userId)) continue;
      seen.add(record.userId);
      matched.push(record);
    }
    return matched.map(toPatientResponse);
  }

  /**
   * UpdateEHRSubscription (§1.5): nothing when the subscription already holds the message's document
   * id; otherwise sets `active` and `provider`, appends the message and stamps the times, written
   * conditionally on the record's `updatedTime`. A record that changed in between is re-read and the
   * update retried; 409 when it keeps changing, 404 when the record does not exist.
   */
  async updateSubscription(clinicId: string, userId: string, update: EhrSubscriptionUpdate): Promise<void> {
    for (let attempt = 0; attempt < SUBSCRIPTION_UPDATE_ATTEMPTS; attempt += 1) {
      const done = await this.gate.run(clinicId, async (writes) => {
        const current = await this.patients.findOne(clinicId, userId);
        if (!current) throw PatientErrors.patientNotFound();
        const subscriptions = current.ehrSubscriptions ?? {};
        const existing = subscriptions[update.name] as EhrSubscriptionRecord | undefined;
        const messages = existing?.matchedMessages ?? [];
        if (messages.some((message) => sameId(message.id, update.matchedMessage.id))) return true;
        const now = new Date();
        const matchedMessage: EhrMatchedMessageRecord = {
          id: update.matchedMessage.id,
          dataModel: update.matchedMessage.dataModel,
          eventType: update.matchedMessage.eventType,
        };
        const next: EhrSubscriptionRecord = {
          active: update.active,
          provider: update.provider,
          matchedMessages: [...messages, matchedMessage],
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        };
        const written = await writes.patients.update(current, {
          ehrSubscriptions: { ...subscriptions, [update.name]: next },
        });
        return written !== null;
      });
      if (done) return;
    }
    throw EhrErrors.subscriptionConflict();
  }

  /** A page of the clinic's records with an active subscription `name`, in `_id` order after `afterId`. */
  async listActive(
    clinicId: Types.ObjectId,
    name: EhrSubscriptionName,
    after: Types.ObjectId | undefined,
    limit: number,
  ): Promise<{ subscriptions: ActiveSubscription[]; lastId?: Types.ObjectId }> {
    const records = await this.patients.listWithActiveSubscription(clinicId, name, after, limit);
    return {
      subscriptions: records.map((record) => toActiveSubscription(record, name)),
      lastId: records.length > 0 ? records[records.length - 1]._id : undefined,
    };
  }

  /** The user's records with an active subscription `name`, whatever the clinic. */
  async listActiveOfUser(userId: string, name: EhrSubscriptionName): Promise<ActiveSubscription[]> {
    const records = await this.patients.findOfUserWithActiveSubscription(userId, name);
    return records.map((record) => toActiveSubscription(record, name));
  }
}

function toActiveSubscription(record: PatientRecord, name: EhrSubscriptionName): ActiveSubscription {
  const messages = record.ehrSubscriptions?.[name]?.matchedMessages ?? [];
  const last = messages.length > 0 ? toObjectId(messages[messages.length - 1].id) : undefined;
  return { userId: record.userId, clinicId: record.clinicId, ...(last ? { lastMatchedMessageId: last } : {}) };
}

function toObjectId(id: Types.ObjectId | string | undefined): Types.ObjectId | undefined {
  if (id === undefined || id === null) return undefined;
  if (typeof id !== 'string') return new Types.ObjectId(id.toHexString());
  return /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id.toLowerCase()) : undefined;
}

/** Stored ids are ObjectIds; older documents may hold their hex strings. */
function sameId(a: Types.ObjectId | string | undefined, b: Types.ObjectId): boolean {
  if (a === undefined || a === null) return false;
  return (typeof a === 'string' ? a : a.toHexString()) === b.toHexString();
}
