import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { InternalCliniciansController } from './internal-clinicians.controller';
import { InternalClinicsController } from './internal-clinics.controller';
import { InternalMergesController } from './internal-merges.controller';
import { InternalMigrationsController } from './internal-migrations.controller';
import { InternalDataSourcesController } from './internal-data-sources.controller';
import { InternalPatientTagsController } from './internal-patient-tags.controller';
import { InternalPatientsController } from './internal-patients.controller';
import { InternalUsersController } from './internal-users.controller';

/** Routes for other services and operators (mostly server tokens), served by the Clinics domain. */
@Module({
  imports: [ClinicsModule],
  controllers: [
    InternalClinicsController,
    InternalCliniciansController,
    InternalPatientsController,
    InternalMigrationsController,
    InternalUsersController,
    InternalPatientTagsController,
    InternalDataSourcesController,
    InternalMergesController,
  ],
})
export class InternalModule {}
