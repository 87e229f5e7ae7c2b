import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ClinicianMembershipLookup } from '../../auth/authorization/clinician-membership';
import { ClinicLock } from './clinic-lock';
import { ClinicSettingsController } from './clinics/clinic-settings.controller';
import { ClinicSettingsService } from './clinics/clinic-settings.service';
import { CliniciansController } from './clinicians/clinicians.controller';
import { CliniciansService } from './clinicians/clinicians.service';
import { ClinicsController } from './clinics/clinics.controller';
import { ClinicsService } from './clinics/clinics.service';
import { ClinicPatientsRepository } from './patients/clinic-patients.repository';
import { ClinicianMembershipRepository } from './clinicians/clinician-membership.repository';
import { CliniciansRepository } from './clinicians/clinicians.repository';
import { ClinicsRepository } from './clinics/clinics.repository';
import { ClinicDeletionsRepository, ClinicianDeletionsRepository } from './deletions/deletions.repository';
import { LocksRepository } from './repositories/locks.repository';
import { ClinicRecord, ClinicSchema } from './clinics/clinic.schema';
import { ClinicianRecord, ClinicianSchema } from './clinicians/clinician.schema';
import {
  ClinicDeletionRecord,
  ClinicDeletionSchema,
  ClinicianDeletionRecord,
  ClinicianDeletionSchema,
} from './deletions/deletion.schema';
import { LockRecord, LockSchema } from './schemas/lock.schema';
import { ShareCodeGenerator } from './clinics/share-code';

/** The clinics domain: clinics, clinicians, settings. Its services and repositories serve the other modules. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ClinicRecord.name, schema: ClinicSchema },
      { name: ClinicianRecord.name, schema: ClinicianSchema },
      { name: ClinicDeletionRecord.name, schema: ClinicDeletionSchema },
      { name: ClinicianDeletionRecord.name, schema: ClinicianDeletionSchema },
      { name: LockRecord.name, schema: LockSchema },
    ]),
  ],
  controllers: [ClinicsController, CliniciansController, ClinicSettingsController],
  providers: [
    ClinicsRepository,
    CliniciansRepository,
    ClinicPatientsRepository,
    ClinicDeletionsRepository,
    ClinicianDeletionsRepository,
    LocksRepository,
    ClinicLock,
    ClinicianMembershipRepository,
    { provide: ClinicianMembershipLookup, useExisting: ClinicianMembershipRepository },
    ShareCodeGenerator,
    ClinicsService,
    CliniciansService,
    ClinicSettingsService,
  ],
  exports: [
    ClinicianMembershipLookup,
    MongooseModule,
    ClinicsService,
    CliniciansService,
    ClinicSettingsService,
    ClinicLock,
    ClinicsRepository,
    CliniciansRepository,
  ],
})
export class ClinicsModule {}
