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
import { ClinicReadCaches } from './clinic-read-cache';
import type { ConfigType } from '@nestjs/config';
import { databaseConfig } from '../../config/database.config';
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
import { MergeFaults } from './merges/merge-faults';
import { MergePlanRecord, MergePlanSchema } from './merges/merge-plan.schema';
import { MergesController } from './merges/merges.controller';
import { MergesRepository } from './merges/merges.repository';
import { MergesService } from './merges/merges.service';
import { MigrationRecord, MigrationSchema } from './migrations/migration.schema';
import { MigrationsRepository } from './migrations/migrations.repository';
import { MigrationsService } from './migrations/migrations.service';
import { ClinicUsersService } from './users/clinic-users.service';
import { PatientCountsService } from './patients/patient-counts.service';
import { PatientsController } from './patients/patients.controller';
import { PatientsRepository } from './patients/patients.repository';
import { PatientsService } from './patients/patients.service';
import { PatientDataSourcesService } from './patients/patient-data-sources.service';
import { PatientChangesService } from './patient-changes/patient-changes.service';
import { PatientTagsController } from './tags/patient-tags.controller';
import { PatientTagsService } from './tags/patient-tags.service';
import { SitesController } from './sites/sites.controller';
import { SitesService } from './sites/sites.service';
import { TideReportController } from './tide/tide-report.controller';
import { TideReportRepository } from './tide/tide-report.repository';
import { TideReportService } from './tide/tide-report.service';
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
      { name: MigrationRecord.name, schema: MigrationSchema },
      { name: MergePlanRecord.name, schema: MergePlanSchema },
    ]),
  ],
  controllers: [
    ClinicsController,
    CliniciansController,
    ClinicSettingsController,
    PatientsController,
    ListPatientsController,
    PatientTagsController,
    SitesController,
    TideReportController,
    MergesController,
  ],
  providers: [
    ClinicsRepository,
    CliniciansRepository,
    PatientsRepository,
    PatientListRepository,
    ListPatientsService,
    ClinicWriteGate,
    ClinicianMembershipRepository,
    {
      provide: ClinicReadCaches,
      inject: [databaseConfig.KEY],
      useFactory: (database: ConfigType<typeof databaseConfig>) => new ClinicReadCaches(database.readCaches ?? false),
    },
    { provide: ClinicianMembershipLookup, useExisting: ClinicianMembershipRepository },
    ShareCodeGenerator,
    ClinicsService,
    CliniciansService,
    ClinicSettingsService,
    PatientCountsService,
    PatientsService,
    MigrationsRepository,
    MigrationsService,
    ClinicUsersService,
    PatientChangesService,
    PatientTagsService,
    SitesService,
    PatientDataSourcesService,
    TideReportRepository,
    TideReportService,
    EhrSettingsService,
    EhrSubscriptionsService,
    MergesRepository,
    MergesService,
    MergeFaults,
    EhrPatientsService,
  ],
  // Services only: other modules never reach the clinic collections (and so never write them) directly.
  exports: [
    ClinicianMembershipLookup,
    ClinicsService,
    CliniciansService,
    ClinicSettingsService,
    PatientsService,
    MigrationsService,
    ClinicUsersService,
    PatientTagsService,
    PatientDataSourcesService,
    EhrSettingsService,
    EhrSubscriptionsService,
    MergesService,
    EhrPatientsService,
  ],
})
export class ClinicsModule {}
