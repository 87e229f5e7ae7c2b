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
  PatientDeletionRecord,
  PatientDeletionSchema,
} from './deletions/deletion.schema';
import { ShareCodeGenerator } from './clinics/share-code';
import { ShareCodeRecord, ShareCodeSchema } from './clinics/share-code.schema';
import { PatientRecord, PatientSchema } from './patients/patient.schema';
import { PatientCountsService } from './patients/patient-counts.service';
import { PatientsController } from './patients/patients.controller';
import { PatientsRepository } from './patients/patients.repository';
import { PatientsService } from './patients/patients.service';
import { EhrSettingsService } from './ehr/ehr-settings.service';
import { EhrSubscriptionsService } from './ehr/ehr-subscriptions.service';
import { EhrPatientsService } from './ehr/ehr-patients.service';

/** The clinics domain: clinics, clinicians, patients, settings. Its services serve the other modules. */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: ClinicRecord.name, schema: ClinicSchema },
      { name: ShareCodeRecord.name, schema: ShareCodeSchema },
      { name: ClinicianRecord.name, schema: ClinicianSchema },
      { name: ClinicDeletionRecord.name, schema: ClinicDeletionSchema },
      { name: ClinicianDeletionRecord.name, schema: ClinicianDeletionSchema },
      { name: PatientRecord.name, schema: PatientSchema },
      { name: PatientDeletionRecord.name, schema: PatientDeletionSchema },
    ]),
  ],
  controllers: [
    ClinicsController,
    CliniciansController,
    ClinicSettingsController,
    PatientsController,
    ListPatientsController,
  ],
  providers: [
    ClinicsRepository,
    CliniciansRepository,
    PatientsRepository,
    PatientListRepository,
    ListPatientsService,
    ClinicWriteGate,
    ClinicianMembershipRepository,
    { provide: ClinicianMembershipLookup, useExisting: ClinicianMembershipRepository },
    ShareCodeGenerator,
    ClinicsService,
    CliniciansService,
    ClinicSettingsService,
    PatientCountsService,
    PatientsService,
    EhrSettingsService,
    EhrSubscriptionsService,
    EhrPatientsService,
  ],
  // Services only: other modules never reach the clinic collections (and so never write them) directly.
  exports: [
    ClinicianMembershipLookup,
    ClinicsService,
    CliniciansService,
    ClinicSettingsService,
    PatientsService,
    EhrSettingsService,
    EhrSubscriptionsService,
    EhrPatientsService,
  ],
})
export class ClinicsModule {}
