import { Body, Controller, Delete, Get, Module, Param, Query, SetMetadata } from '@nestjs/common';
import { IsString, MinLength } from 'class-validator';
import { Allow } from '../../src/auth/authorization/access-rules';
import {
  ACCESS_RULES_KEY,
  Authorize,
  CurrentMembership,
  CurrentPrincipal,
  Public,
} from '../../src/auth/authorization/authorize.decorator';
import type { ClinicianMembership } from '../../src/auth/authorization/clinician-membership';
import type { Principal } from '../../src/auth/principal';
import { IsObjectIdString, IsTidepoolUserId } from '../../src/common/validation/decorators';
import { ClinicIdParams } from '../../src/common/validation/id-params.dto';
import { PaginationQuery } from '../../src/common/validation/pagination.dto';

class ClinicUserParams {
  @IsObjectIdString() clinicId: string;
  @IsTidepoolUserId() userId: string;
}

class ProbeBody {
  @IsString() @MinLength(1) name: string;
}

/** Test-only routes, one per kind of access rule, that echo what the guards established. */
@Controller('authz-probe')
export class AuthzProbeController {
  @Get('server')
  @Authorize(Allow.server)
  server(@CurrentPrincipal() principal: Principal): object {
    return { principal };
  }

  @Get('user')
  @Authorize(Allow.user)
  user(@CurrentPrincipal() principal: Principal): object {
    return { principal };
  }

  @Get('clinics/:clinicId/members')
  @Authorize(Allow.server, Allow.clinicMember)
  members(
    @Param() params: ClinicIdParams,
    @Query() query: PaginationQuery,
    @CurrentMembership() membership: ClinicianMembership | undefined,
  ): object {
    return { params, query, membership: membership ?? null };
  }

  @Delete('clinics/:clinicId/admins')
  @Authorize(Allow.server, Allow.clinicAdmin)
  admins(@Param() params: ClinicIdParams, @Body() body: ProbeBody): object {
    return { params, body };
  }

  @Get('clinics/:clinicId/records')
  @Authorize(Allow.clinicRecord)
  records(@Param() params: ClinicIdParams): object {
    return { params };
  }

  @Get('clinics/:clinicId/users/:userId')
  @Authorize(Allow.self('userId'))
  self(@Param() params: ClinicUserParams): object {
    return { params };
  }

  @Delete('clinics/:clinicId/users/:userId')
  @Authorize(Allow.clinicAdmin, Allow.selfMember('userId'))
  selfMember(@Param() params: ClinicUserParams): object {
    return { params };
  }

  @Get('permissions/:permission')
  @Authorize(Allow.serverWhenParam('permission', 'custodian'))
  custodian(@Param('permission') permission: string): object {
    return { permission };
  }

  /** No rule at all: denied to everyone (deny by default). */
  @Get('forgotten')
  forgotten(): object {
    return { reached: true };
  }

  /** The declared PUBLIC rule: no session token. */
  @Get('public')
  @Public('probe: nothing')
  open(): object {
    return { reached: true };
  }

  /** PUBLIC mixed with another rule (only possible by hand): not public. */
  @Get('mixed')
  @SetMetadata(ACCESS_RULES_KEY, [Allow.publicRoute('probe'), Allow.server])
  mixed(): object {
    return { reached: true };
  }
}

/** A public controller whose handler declares its own rule: the handler's rule wins. */
@Public('probe: nothing')
@Controller('authz-probe-public')
export class PublicAuthzProbeController {
  @Get('open')
  open(): object {
    return { reached: true };
  }

  @Get('guarded')
  @Authorize(Allow.server)
  guarded(): object {
    return { reached: true };
  }
}

@Module({ controllers: [AuthzProbeController, PublicAuthzProbeController] })
export class AuthzProbeModule {}
