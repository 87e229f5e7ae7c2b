import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Types } from 'mongoose';
import { sharedSecretMatches } from '../../auth/shared-secret';
import { redoxConfig } from '../../config/redox.config';
import { RedoxWriteGate } from './redox-write-gate';
import { toStoredMeta } from './redox-order';
import { RedoxAuthErrors } from './redox-verification.guard';

/** The body Redox sends to verify a destination. */
export interface VerificationRequest {
  'verification-token'?: unknown;
  challenge?: unknown;
}

/** Redox destination verification and message intake (behavior-integrations.md §1.2, §1.3). */
@Injectable()
export class RedoxMessagesService {
  constructor(
    @Inject(redoxConfig.KEY) private readonly config: ConfigType<typeof redoxConfig>,
    private readonly gate: RedoxWriteGate,
  ) {}

  /** Echoes the challenge when the body's `verification-token` is the configured one; 401 otherwise. */
  verify(body: unknown): { challenge: unknown } {
    const request = (typeof body === 'object' && body !== null ? body : {}) as VerificationRequest;
    if (!sharedSecretMatches(this.config.verificationToken, request['verification-token'])) {
      throw RedoxAuthErrors.tokenInvalid();
    }
    return { challenge: request.challenge ?? '' };
  }

  /**
   * Stores any message with valid metadata in `redox`: `meta` and the whole payload (§1.3). Invalid
   * metadata is 400 and nothing is stored.
   */
  async store(payload: unknown): Promise<Types.ObjectId> {
    const meta = toStoredMeta(payload);
    const _id = new Types.ObjectId();
    await this.gate.storeMessage(_id, (writer) =>
      writer.insert({ _id, meta, message: payload as Record<string, unknown> }),
    );
    return _id;
  }
}
