import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { GatedWriter, WriteScope } from '../../../database/write-gate';
import { XealthOrderRecord, XealthPreorderRecord, XealthReportViewRecord } from './xealth-records.schema';

export interface ReportViewKey {
  userId: string;
  deployment: string;
  programId: string;
  clinicId: Types.ObjectId;
  patientUserId: string;
}

/** Reads of the Xealth collections; writes go through the writers below, inside the Xealth write gate. */
@Injectable()
export class XealthRecordsRepository {
  constructor(
    @InjectModel(XealthPreorderRecord.name) private readonly preorders: Model<XealthPreorderRecord>,
    @InjectModel(XealthOrderRecord.name) private readonly orders: Model<XealthOrderRecord>,
    @InjectModel(XealthReportViewRecord.name) private readonly views: Model<XealthReportViewRecord>,
  ) {}

  findPreorder(dataTrackingId: string): Promise<XealthPreorderRecord | null> {
    return this.preorders.findOne({ dataTrackingId }).lean<XealthPreorderRecord>().exec();
  }

  findOrder(id: Types.ObjectId): Promise<XealthOrderRecord | null> {
    return this.orders.findOne({ _id: id }).lean<XealthOrderRecord>().exec();
  }

  /** The newest view with this key (the `LastReportView` index). */
  findLastView(key: ReportViewKey): Promise<XealthReportViewRecord | null> {
    return this.views
      .findOne({ ...key })
      .sort({ createdTime: -1 })
      .lean<XealthReportViewRecord>()
      .exec();
  }
}

/** Inserts into the Xealth collections. Only the Xealth write gate creates it. */
export class XealthRecordsWriter extends GatedWriter {
  constructor(
    scope: WriteScope,
    private readonly preorders: Model<XealthPreorderRecord>,
    private readonly orders: Model<XealthOrderRecord>,
    private readonly views: Model<XealthReportViewRecord>,
  ) {
    super(scope);
  }

  /** Throws the driver's duplicate-key error when the dataTrackingId is already stored. */
  async insertPreorder(record: XealthPreorderRecord): Promise<void> {
    this.guard();
    await this.preorders.collection.insertOne(record);
  }

  /** Through the driver: the partner's JSON is stored with its own key names. */
  async insertOrder(record: XealthOrderRecord): Promise<void> {
    this.guard();
    await this.orders.collection.insertOne(record);
  }

  async insertReportView(record: XealthReportViewRecord): Promise<void> {
    this.guard();
    await this.views.collection.insertOne(record);
  }
}
