import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsOptional, IsString, MinLength } from 'class-validator';
import { IsContractEnum } from '../../../../common/validation/decorators';
import { MigrationRecord, MigrationStatus } from '../migration.schema';

const STATUS_MESSAGE = `must be one of: ${Object.values(MigrationStatus).join(', ')}`;

/** `migration.v1` as answered; the clinic id is not part of it. */
export class MigrationResponse {
  /** The user id of the legacy clinician account that needs to be migrated. */
  @ApiProperty({ minLength: 1 })
  userId: string;

  @ApiPropertyOptional({ enum: MigrationStatus, enumName: 'MigrationStatus' })
  status?: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  createdTime: string;

  @ApiProperty({ format: 'date-time', readOnly: true })
  updatedTime: string;

  /** In the contract; this service never records an attestation. */
  @ApiPropertyOptional({ format: 'date-time', readOnly: true })
  attestationTime?: string;
}

/** Statuses are answered upper-case, whatever the stored case. */
export function toMigrationResponse(record: MigrationRecord): MigrationResponse {
  return {
    userId: record.userId,
    status: record.status.toUpperCase(),
    createdTime: record.createdTime.toISOString(),
    updatedTime: record.updatedTime.toISOString(),
  };
}

/**
 * `migration.v1` as sent to MigrateLegacyClinicianPatients: only `userId` is used (every new migration
 * is PENDING); `status` is checked against the enum and dropped, the read-only times are documented as
 * in the contract and dropped.
 */
export class MigrationBody {
  @IsString()
  @MinLength(1)
  @ApiProperty({ minLength: 1 })
  userId: string;

  @IsOptional()
  @IsEnum(MigrationStatus, { message: `status ${STATUS_MESSAGE}` })
  @ApiPropertyOptional({ enum: MigrationStatus, enumName: 'MigrationStatus' })
  status?: string;

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  createdTime?: string;

  @ApiProperty({ format: 'date-time', readOnly: true, required: true })
  updatedTime?: string;

  @ApiPropertyOptional({ format: 'date-time', readOnly: true })
  attestationTime?: string;
}

/** `migrationUpdate.v1`. */
export class MigrationUpdateBody {
  @IsContractEnum(MigrationStatus, 'MigrationStatus')
  status: MigrationStatus;
}

/** `triggerMigration.v1`: checked, then ignored (as in the established service). */
export class TriggerMigrationBody {
  @IsOptional()
  @IsBoolean()
  @ApiPropertyOptional()
  attestationSubmitted?: boolean;
}
