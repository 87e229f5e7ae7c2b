import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ClinicianMembershipLookup } from '../../auth/authorization/clinician-membership';
import { ClinicianMembershipRepository } from './repositories/clinician-membership.repository';
import { ClinicianRecord, ClinicianSchema } from './schemas/clinician.schema';

@Module({
  imports: [MongooseModule.forFeature([{ name: ClinicianRecord.name, schema: ClinicianSchema }])],
  providers: [
    ClinicianMembershipRepository,
    { provide: ClinicianMembershipLookup, useExisting: ClinicianMembershipRepository },
  ],
  exports: [ClinicianMembershipLookup, MongooseModule],
})
export class ClinicsModule {}
