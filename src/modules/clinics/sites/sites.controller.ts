import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/authorization/access-rules';
import { Authorize } from '../../../auth/authorization/authorize.decorator';
import { ClinicIdParams } from '../../../common/validation/id-params.dto';
import { SiteResponse } from '../clinics/dto/clinic-response.dto';
import { SiteBody, SiteByIdBody, SiteCreationBody, SiteParams, SiteResult } from './dto/site.dto';
import { SitesService } from './sites.service';

/**
 * A clinic's sites. Sites are answered with their patient count under `patients`, as the established
 * service answers them (documented as `site.v1`).
 */
@ApiTags('Clinics')
@Controller('v1/clinics/:clinicId/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiBody({ type: SiteCreationBody, required: false })
  @ApiOkResponse({ type: SiteResponse })
  createSite(@Param() params: ClinicIdParams, @Body() body: SiteCreationBody): Promise<SiteResult> {
    return this.sites.createSite(params.clinicId, body.name);
  }

  @Put(':siteId')
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiBody({ type: SiteBody, required: false })
  @ApiOkResponse({ type: SiteResponse })
  updateSite(@Param() params: SiteParams, @Body() body: SiteBody): Promise<SiteResult> {
    return this.sites.updateSite(params.clinicId, params.siteId, body.name);
  }

  @Delete(':siteId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authorize(Allow.server, Allow.clinicAdmin)
  @ApiNoContentResponse()
  deleteSite(@Param() params: SiteParams): Promise<void> {
    return this.sites.deleteSite(params.clinicId, params.siteId);
  }

  /** Merges the site in the body into the one in the path, and answers the latter. */
  @Post(':siteId/merge')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: SiteByIdBody, required: false })
  @ApiOkResponse({ type: SiteResponse })
  mergeSite(@Param() params: SiteParams, @Body() body: SiteByIdBody): Promise<SiteResult> {
    return this.sites.mergeSite(params.clinicId, params.siteId, body.id);
  }
}
