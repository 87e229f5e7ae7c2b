import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize, CurrentPrincipal } from '../../auth/authorization/authorize.decorator';
import type { Principal } from '../../auth/principal';
import { UserIdParams } from '../../common/validation/id-params.dto';
import { ClinicUsersService } from '../clinics/users/clinic-users.service';
import { UpdateUserDetailsBody } from './dto/update-user-details.dto';

/** A user's records across all clinics, for the services that manage user accounts (§1.18–§1.19). */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class InternalUsersController {
  constructor(private readonly users: ClinicUsersService) {}

  /** Answers 200 with an empty body; repeating it after a failure finishes the job. */
  @Delete('users/:userId/clinics')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiOkResponse()
  deleteUserFromClinics(@CurrentPrincipal() principal: Principal, @Param() params: UserIdParams): Promise<void> {
    return this.users.deleteUserFromClinics(principal, params.userId);
  }

  /** The contract documents 204; the service answers 200 with an empty body, as the established service does. */
  @Post('users/:userId/clinics')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: UpdateUserDetailsBody, required: false })
  @ApiResponse({ status: HttpStatus.NO_CONTENT, description: 'No Content (answered as 200 with an empty body)' })
  updateClinicUserDetails(@Param() params: UserIdParams, @Body() body: UpdateUserDetailsBody): Promise<void> {
    return this.users.updateClinicUserDetails(params.userId, body?.email);
  }
}
