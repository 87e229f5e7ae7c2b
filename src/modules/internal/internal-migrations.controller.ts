import { Body, Controller, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize } from '../../auth/authorization/authorize.decorator';
import {
  MigrationBody,
  MigrationResponse,
  MigrationUpdateBody,
  TriggerMigrationBody,
} from '../clinics/migrations/dto/migration.dto';
import { MigrationsService } from '../clinics/migrations/migrations.service';
import { ClinicMigrationParams, LegacyClinicParams } from './dto/migration-params.dto';

/** Migrations of legacy clinician accounts into clinics (behavior-clinics.md §1.17). */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class InternalMigrationsController {
  constructor(private readonly migrations: MigrationsService) {}

  /** Clinic admins only (servers are not allowed, as in the established service). */
  @Post('clinics/:clinicId/migrate')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.clinicAdmin)
  @ApiBody({ type: TriggerMigrationBody, required: false })
  @ApiOkResponse({ type: MigrationResponse })
  triggerInitialMigration(
    @Param() params: LegacyClinicParams,
    @Body() _body: TriggerMigrationBody,
  ): Promise<MigrationResponse> {
    return this.migrations.triggerInitialMigration(params.clinicId);
  }

  /** The contract documents 202; the service answers 200, as the established service does. */
  @Post('clinics/:clinicId/migrations')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: MigrationBody, required: false })
  @ApiResponse({ status: HttpStatus.ACCEPTED, description: 'Accepted (answered as 200)', type: MigrationResponse })
  migrateLegacyClinicianPatients(
    @Param() params: LegacyClinicParams,
    @Body() body: MigrationBody,
  ): Promise<MigrationResponse> {
    return this.migrations.migrateLegacyClinicianPatients(params.clinicId, body.userId);
  }

  @Get('clinics/:clinicId/migrations')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: [MigrationResponse] })
  listMigrations(@Param() params: LegacyClinicParams): Promise<MigrationResponse[]> {
    return this.migrations.listMigrations(params.clinicId);
  }

  @Get('clinics/:clinicId/migrations/:userId')
  @Authorize(Allow.server, Allow.clinicMember)
  @ApiOkResponse({ type: MigrationResponse })
  getMigration(@Param() params: ClinicMigrationParams): Promise<MigrationResponse> {
    return this.migrations.getMigration(params.clinicId, params.userId);
  }

  @Patch('clinics/:clinicId/migrations/:userId')
  @Authorize(Allow.server)
  @ApiBody({ type: MigrationUpdateBody, required: false })
  @ApiOkResponse({ type: MigrationResponse })
  updateMigration(
    @Param() params: ClinicMigrationParams,
    @Body() body: MigrationUpdateBody,
  ): Promise<MigrationResponse> {
    return this.migrations.updateMigration(params.clinicId, params.userId, body.status);
  }
}
