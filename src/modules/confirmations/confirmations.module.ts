import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ClinicsModule } from '../clinics/clinics.module';
import { ClinicianInviteMailer } from './clinician-invite.mailer';
import { ClinicianInvitesController } from './clinician-invites.controller';
import { ClinicianInvitesService } from './clinician-invites.service';
import { ConfirmationWriteGate } from './confirmation-write-gate';
import { PatientInviteMailer } from './patient-invite.mailer';
import { PatientInvitesController } from './patient-invites.controller';
import { PatientInvitesService } from './patient-invites.service';
import { ConfirmationsRepository } from './repositories/confirmations.repository';
import { ConfirmationRecord, ConfirmationSchema } from './schemas/confirmation.schema';

/** Invites: clinician invites, and patients sharing their data with a clinic. */
@Module({
  imports: [ClinicsModule, MongooseModule.forFeature([{ name: ConfirmationRecord.name, schema: ConfirmationSchema }])],
  controllers: [ClinicianInvitesController, PatientInvitesController],
  providers: [
    ConfirmationsRepository,
    ConfirmationWriteGate,
    ClinicianInvitesService,
    ClinicianInviteMailer,
    PatientInvitesService,
    PatientInviteMailer,
  ],
})
export class ConfirmationsModule {}
