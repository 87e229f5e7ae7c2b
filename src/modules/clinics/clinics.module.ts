import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ClinicianMembershipLookup } from '../../auth/authorization/clinician-membership';
import { ClinicWriteGate } from './clinic-write-gate';
import { ClinicSettingsController } from './clinics/clinic-settings.controller';
import { ClinicSettingsService } from './clinics/clinic-settings.service';
import { CliniciansController } from './clinicians/clinicians.controller';
import { CliniciansService } from './clinicians/clinicians.service';
import { ClinicsController } from './clinics/clinics.controller';
import { ClinicsService } from './clinics/clinics.service';
import { ClinicPatientsRepository } from './patients/clinic-patients.repository';
import { ListPatientsController } from './patients/list/list-patients.controller';
import { ListPatientsService } from './patients/list/list-patients.service';
import { PatientListRepository } from './patients/list/patient-list.repository';
import { ClinicianMembershipRepository } from './clinicians/clinician-membership.repository';
import { CliniciansRepository } from './clinicians/clinicians.repository';
import { ClinicsRepository } from './clinics/clinics.repository';
import { ClinicRecord, ClinicSchema } from './clinics/clinic.schema';
import { ClinicianRecord, ClinicianSchema } from './clinicians/clinician.schema';
import {
  ClinicDeletionRecord,
  ClinicDeletionSchema,
  ClinicianDeletionRecord,
  ClinicianDeletionSchema,
} from './deletions/deletion.schema';
import { ShareCodeGenerator } from './clinics/share-code';

/** The clinics domain: clinics, clinicians, settings. Its services serve the other modules. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ClinicRecord.name, schema: ClinicSchema },
      { name: ClinicianRecord.name, schema: ClinicianSchema },
      { name: ClinicDeletionRecord.name, schema: ClinicDeletionSchema },
      { name: ClinicianDeletionRecord.name, schema: ClinicianDeletionSchema },
    ]),
  ],
  controllers: [ClinicsController, CliniciansController, ClinicSettingsController, ListPatientsController],
  providers: [
    ClinicsRepository,
    CliniciansRepository,
    ClinicPatientsRepository,
    PatientListRepository,
    ListPatientsService,
    ClinicWriteGate,
    ClinicianMembershipRepository,
    { provide: ClinicianMembershipLookup, useExisting: ClinicianMembershipRepository },
    ShareCodeGenerator,
    ClinicsService,
    CliniciansService,
    ClinicSettingsService,
  ],
  // Services only: other modules never reach the clinic collections (and so never write them) directly.
  exports: [ClinicianMembershipLookup, ClinicsService, CliniciansService, ClinicSettingsService],
})
export class ClinicsModule {}
