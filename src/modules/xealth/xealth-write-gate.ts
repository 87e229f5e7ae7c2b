import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model } from 'mongoose';
import { WriteGateRank, WriteLocks } from '../../database/write-gate';
import { XealthRecordsWriter } from './records/xealth-records.repository';
import { XealthOrderRecord, XealthPreorderRecord, XealthReportViewRecord } from './records/xealth-records.schema';

/**
 * The one way to write the Xealth module's own collections (`xealth_preorder`, `xealth_order`,
 * `xealth_report_view`), which no clinic owns: work runs under a keyed in-process lock and gets a
 * writer that refuses to write once it has finished.
 */
@Injectable()
export class XealthWriteGate {
  constructor(
    private readonly locks: WriteLocks,
    @InjectModel(XealthPreorderRecord.name) private readonly preorders: Model<XealthPreorderRecord>,
    @InjectModel(XealthOrderRecord.name) private readonly orders: Model<XealthOrderRecord>,
    @InjectModel(XealthReportViewRecord.name) private readonly views: Model<XealthReportViewRecord>,
  ) {}

  /** `key` names what is written (a dataTrackingId, an order id, …), so unrelated writes never wait on each other. */
  run<T>(key: string, work: (writer: XealthRecordsWriter) => Promise<T>): Promise<T> {
    return this.locks.run(`xealth:${key}`, WriteGateRank.Integration, (scope) =>
      work(new XealthRecordsWriter(scope, this.preorders, this.orders, this.views)),
    );
  }
}
