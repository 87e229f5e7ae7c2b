import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ClinicsModule } from '../clinics/clinics.module';
import { ClinicianInviteMailer } from './clinician-invite.mailer';
import { ClinicianInvitesController } from './clinician-invites.controller';
import { ClinicianInvitesService } from './clinician-invites.service';
import { ConfirmationWriteGate } from './confirmation-write-gate';
import { ConfirmationsRepository } from './repositories/confirmations.repository';
import { ConfirmationRecord, ConfirmationSchema } from './schemas/confirmation.schema';

/** Invites: clinician invites now, patient-to-clinic shares later. */
@Module({
  imports: [ClinicsModule, MongooseModule.forFeature([{ name: ConfirmationRecord.name, schema: ConfirmationSchema }])],
  controllers: [ClinicianInvitesController],
  providers: [ConfirmationsRepository, ConfirmationWriteGate, ClinicianInvitesService, ClinicianInviteMailer],
})
export class ConfirmationsModule {}
