import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ClinicsModule } from '../clinics/clinics.module';
import { EhrController } from './ehr.controller';
import { RedoxMessageRecord, RedoxMessageSchema } from './messages/redox-message.schema';
import { RedoxMessagesRepository } from './messages/redox-messages.repository';
import { RedoxController, RedoxMatchController } from './redox.controller';
import { RedoxMatchService } from './redox-match.service';
import { RedoxMessagesService } from './redox-messages.service';
import { RedoxVerificationGuard } from './redox-verification.guard';
import { RedoxWriteGate } from './redox-write-gate';
import { ScheduledOrderRecord, ScheduledOrderSchema } from './scheduled-reports/scheduled-order.schema';
import { ScheduledOrdersExpiry } from './scheduled-reports/scheduled-orders-expiry';
import { ScheduledOrdersRepository } from './scheduled-reports/scheduled-orders.repository';
import { ScheduledReportsService } from './scheduled-reports/scheduled-reports.service';

/**
 * Redox: message intake and destination verification (webhooks protected by the verification
 * token), order matching, EHR settings and the scheduling of report re-sends. Built on the Clinics
 * services; Clinics knows nothing of it.
 */
@Module({
  imports: [
    ClinicsModule,
    MongooseModule.forFeature([
      { name: RedoxMessageRecord.name, schema: RedoxMessageSchema },
      { name: ScheduledOrderRecord.name, schema: ScheduledOrderSchema },
    ]),
  ],
  controllers: [RedoxController, RedoxMatchController, EhrController],
  providers: [
    RedoxWriteGate,
    RedoxMessagesRepository,
    ScheduledOrdersRepository,
    RedoxMessagesService,
    RedoxMatchService,
    RedoxVerificationGuard,
    ScheduledReportsService,
    ScheduledOrdersExpiry,
  ],
  exports: [ScheduledReportsService],
})
export class RedoxModule {}
