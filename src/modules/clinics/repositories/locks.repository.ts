import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../../../common/errors/api-exception.filter';
import { LockRecord } from '../schemas/lock.schema';

/** The `locks` collection. */
@Injectable()
export class LocksRepository {
  constructor(@InjectModel(LockRecord.name) private readonly locks: Model<LockRecord>) {}

  /** True when this call created the lock; false when it is held already. */
  async tryInsert(lock: LockRecord): Promise<boolean> {
    try {
      await this.locks.collection.insertOne({ ...lock } as never);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  find(key: string): Promise<LockRecord | null> {
    return this.locks.findOne({ _id: key }).lean<LockRecord>().exec();
  }

  /** Removes the lock only if the given holder still has it. */
  async delete(key: string, token: string): Promise<void> {
    await this.locks.deleteOne({ _id: key, token }).exec();
  }
}
