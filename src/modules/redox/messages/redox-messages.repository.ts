import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import { RedoxMessageRecord } from './redox-message.schema';

/** Reads of the `redox` collection; inserts go through {@link RedoxMessagesWriter}, inside the Redox write gate. */
@Injectable()
export class RedoxMessagesRepository {
  constructor(@InjectModel(RedoxMessageRecord.name) private readonly messages: Model<RedoxMessageRecord>) {}

  /** The stored message with this id, when its `meta` has this data model and event type. */
  findMessage(id: Types.ObjectId, dataModel: string, eventType: string): Promise<RedoxMessageRecord | null> {
    return this.messages
      .findOne({ _id: id, 'meta.DataModel': dataModel, 'meta.EventType': eventType })
      .lean<RedoxMessageRecord>()
      .exec();
  }

  /** The stored messages with these ids (one read; missing ids are left out). */
  findByIds(ids: Types.ObjectId[]): Promise<RedoxMessageRecord[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.messages
      .find({ _id: { $in: ids } })
      .lean<RedoxMessageRecord[]>()
      .exec();
  }
}

/** Stores received messages. Only the Redox write gate creates it. */
export class RedoxMessagesWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly messages: Model<RedoxMessageRecord>,
  ) {
    super(scope);
  }

  /** One insert (the single event other services react to), through the driver: the payload is stored as sent. */
  async insert(record: RedoxMessageRecord): Promise<void> {
    this.guard();
    await this.messages.collection.insertOne(record);
  }
}
