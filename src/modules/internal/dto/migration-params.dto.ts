import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';
import { IsTidepoolUserId } from '../../../common/validation/decorators';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';

/**
 * TriggerInitialMigration, MigrateLegacyClinicianPatients and ListMigrations take any clinic id (the
 * contract does not constrain it); one that cannot be a clinic's is answered 404.
 */
export class LegacyClinicParams {
  @IsString()
  @MinLength(1)
  @ApiProperty({ type: String })
  clinicId: string;
}

/** GetMigration, UpdateMigration: the clinic and the migrated user. */
export class ClinicMigrationParams extends ClinicIdParams {
  @IsTidepoolUserId()
  userId: string;
}
