import { Injectable } from '@nestjs/common';

/** What readiness reports besides the database: whether the service has begun to shut down. */
@Injectable()
export class ServiceState {
  private drainingSince?: number;

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  startDraining(): void {
    this.drainingSince ??= Date.now();
  }
}
