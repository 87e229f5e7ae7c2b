import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize, CurrentPrincipal } from '../../auth/authorization/authorize.decorator';
import type { Principal } from '../../auth/principal';
import { ApiError } from '../../common/errors/api-error';
import { ClinicIdParams } from '../../common/validation/id-params.dto';
import { MergeClinicBody } from '../clinics/merges/dto/merge-body.dto';
import { MergesService } from '../clinics/merges/merges.service';

/** Clinic merges, for operators (behavior-clinics.md §1.16). */
@ApiTags('Clinics', 'Internal')
@Controller('v1')
export class InternalMergesController {
  constructor(private readonly merges: MergesService) {}

  /** Merges the body's clinic into the path's; answers 200 with an empty body. Repeating it finishes an interrupted merge. */
  @Post('clinics/:clinicId/merge')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: MergeClinicBody, required: false })
  @ApiOkResponse()
  mergeClinic(
    @CurrentPrincipal() principal: Principal,
    @Param() params: ClinicIdParams,
    @Body() body: MergeClinicBody,
  ): Promise<void> {
    const sourceId = body?.sourceId;
    if (!sourceId) throw ApiError.validation([{ field: 'sourceId', message: 'sourceId is required' }]);
    return this.merges.mergeClinic(principal, params.clinicId, sourceId);
  }
}
