import { Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { MongooseModule } from '@nestjs/mongoose';
import type { FastifyInstance } from 'fastify';
import { ClinicsModule } from '../clinics/clinics.module';
import { XealthNotificationService } from './orders/xealth-notification.service';
import { XealthPreorderService } from './preorder/xealth-preorder.service';
import { XealthProgramsService } from './programs/xealth-programs.service';
import { XealthRecordsRepository } from './records/xealth-records.repository';
import {
  XealthOrderRecord,
  XealthOrderSchema,
  XealthPreorderRecord,
  XealthPreorderSchema,
  XealthReportViewRecord,
  XealthReportViewSchema,
} from './records/xealth-records.schema';
import { pdfjsDistFolder, XEALTH_VIEWER_ASSETS_DIR, XealthReportService } from './report/xealth-report.service';
import { XEALTH_CLOCK, XealthApiClient } from './xealth-api.client';
import { XealthController } from './xealth.controller';
import { XealthBearerGuard, XealthEnabledGuard } from './xealth.guards';
import { XealthMatchService } from './xealth-match.service';
import { XealthWriteGate } from './xealth-write-gate';

const WEBHOOK_PREFIX = '/v1/xealth/';

/**
 * Xealth: pre-order forms, order notifications (read back from the Xealth API), programs, program
 * URLs and the report viewer. Built on the Clinics services (EHR settings, patient matching,
 * subscriptions, patient creation); Clinics knows nothing of it.
 */
@Module({
  imports: [
    ClinicsModule,
    MongooseModule.forFeature([
      { name: XealthPreorderRecord.name, schema: XealthPreorderSchema },
      { name: XealthOrderRecord.name, schema: XealthOrderSchema },
      { name: XealthReportViewRecord.name, schema: XealthReportViewSchema },
    ]),
  ],
  controllers: [XealthController],
  providers: [
    XealthWriteGate,
    XealthRecordsRepository,
    XealthApiClient,
    { provide: XEALTH_CLOCK, useValue: () => Date.now() },
    { provide: XEALTH_VIEWER_ASSETS_DIR, useFactory: pdfjsDistFolder },
    XealthMatchService,
    XealthPreorderService,
    XealthNotificationService,
    XealthProgramsService,
    XealthReportService,
    XealthEnabledGuard,
    XealthBearerGuard,
  ],
})
export class XealthModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Xealth posts its JSON webhooks without a Content-Type at times: such bodies are read as JSON. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onRequest', (request, _reply, done) => {
      if (
        (request.method === 'POST' || request.method === 'PUT') &&
        request.url.startsWith(WEBHOOK_PREFIX) &&
        !request.headers['content-type']
      ) {
        request.headers['content-type'] = 'application/json';
      }
      done();
    });
  }
}
