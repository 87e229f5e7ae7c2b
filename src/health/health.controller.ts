import { Controller, Get, HttpCode, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { Public } from '../auth/authorization/authorize.decorator';
import { ApiError } from '../common/errors/api-error';
import { HealthStatus } from './health-status.dto';
import { ServiceState } from './service-state';

const PING_TIMEOUT_MS = 2000;

@ApiTags('Health')
@Public()
@Controller()
export class HealthController {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly state: ServiceState,
  ) {}

  /** Ready when the database answers a ping and the service is not shutting down. */
  @Get('ready')
  @ApiOperation({ operationId: 'Ready', summary: 'Readiness: 200 when the database answers' })
  @ApiOkResponse({ type: HealthStatus })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer, or the service is shutting down' })
  @HttpCode(HttpStatus.OK)
  async ready(): Promise<HealthStatus> {
    if (this.state.draining) throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'service is shutting down');
    if (!(await this.databaseAnswers())) {
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, 'database is not reachable');
    }
    return { status: 'ok' };
  }

  /** Alive whenever the process serves requests. */
  @Get('live')
  @ApiOperation({ operationId: 'Live', summary: 'Liveness: 200 while the process serves requests' })
  @ApiOkResponse({ type: HealthStatus })
  live(): HealthStatus {
    return { status: 'ok' };
  }

  private async databaseAnswers(): Promise<boolean> {
    const db = this.connection.db;
    if (!db || this.connection.readyState !== 1) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const ping = db
      .command({ ping: 1 })
      .then(() => true)
      .catch(() => false);
    const answered = await Promise.race([ping, timeout]);
    clearTimeout(timer);
    return answered;
  }
}
