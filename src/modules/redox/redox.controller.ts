import { Body, Controller, HttpCode, HttpStatus, Post, UseGuards } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/authorization/access-rules';
import { Authorize, Public } from '../../auth/authorization/authorize.decorator';
import { EhrMatchRequestDto, EhrMatchResponseDto } from './dto/ehr-match.dto';
import { ReceivedBody } from './redox-body.decorator';
import { RedoxMatchService } from './redox-match.service';
import { RedoxMessagesService } from './redox-messages.service';
import { RedoxVerificationGuard } from './redox-verification.guard';

/** Redox messages may be large (documents, reports): the intake accepts up to 5 MB. */
export const REDOX_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** The Redox webhooks: the verification token protects them, no session token. */
@ApiTags('Internal', 'Redox', 'Clinics')
@Controller('v1/redox')
export class RedoxController {
  constructor(private readonly messages: RedoxMessagesService) {}

  /** Redox destination verification: echoes `challenge` for the right `verification-token` in the body. */
  @Post('verify')
  @HttpCode(HttpStatus.OK)
  @Public('the verification-token field of the body (REDOX_VERIFICATION_TOKEN)')
  @ApiOkResponse()
  verifyEndpoint(@ReceivedBody() body: unknown): { challenge: unknown } {
    return this.messages.verify(body);
  }

  /** An incoming Redox message, stored whole; answers 200 with an empty body. */
  @Post()
  @HttpCode(HttpStatus.OK)
  @Public('the verification-token header (REDOX_VERIFICATION_TOKEN)')
  @UseGuards(RedoxVerificationGuard)
  @RouteConfig({ maxBodyBytes: REDOX_MAX_BODY_BYTES })
  @ApiBody({ schema: { type: 'object', properties: {} }, required: false })
  @ApiOkResponse()
  async processEHRMessage(@ReceivedBody() body: unknown): Promise<void> {
    await this.messages.store(body);
  }
}

/** Order matching, for the service that processes stored orders (server tokens). */
@ApiTags('Clinics', 'Internal')
@Controller('v1/redox')
export class RedoxMatchController {
  constructor(private readonly matching: RedoxMatchService) {}

  @Post('match')
  @HttpCode(HttpStatus.OK)
  @Authorize(Allow.server)
  @ApiBody({ type: EhrMatchRequestDto, required: false })
  @ApiOkResponse({ type: EhrMatchResponseDto })
  @ApiNotFoundResponse({ description: 'Not Found' })
  matchClinicAndPatient(@Body() body: EhrMatchRequestDto): Promise<EhrMatchResponseDto> {
    return this.matching.match(body);
  }
}
