import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { WriteGateRank, WriteLocks } from '../../database/write-gate';
import { ConfirmationWriter } from './repositories/confirmations.repository';
import { ConfirmationRecord } from './schemas/confirmation.schema';

/**
 * The one way to write a confirmation: changes to one invite run one at a time (so a racing accept
 * and dismiss cannot both win on FerretDB, where conditional updates are not atomic), through a
 * writer bound to that invite's key. Work inside may enter the invite's clinic gate (a higher
 * rank), never the other way round; remote calls are refused inside.
 */
@Injectable()
export class ConfirmationWriteGate {
  constructor(
    private readonly locks: WriteLocks,
    @InjectModel(ConfirmationRecord.name) private readonly confirmations: Model<ConfirmationRecord>,
  ) {}

  run<T>(key: string, work: (confirmation: ConfirmationWriter) => Promise<T>): Promise<T> {
    return this.locks.run(`confirmation:${key}`, WriteGateRank.Confirmation, (scope) =>
      work(new ConfirmationWriter(scope, key, this.confirmations)),
    );
  }
}
