import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptionalQueryInteger } from './decorators';

export const DEFAULT_PAGE_LIMIT = 10;
export const MAX_PAGE_LIMIT = 1000;

/** `offset`/`limit` query parameters shared by every list operation. */
export class PaginationQuery {
  @IsOptionalQueryInteger({ min: 0 })
  @ApiPropertyOptional({ type: 'integer', minimum: 0 })
  offset: number = 0;

  @IsOptionalQueryInteger({ min: 1, max: MAX_PAGE_LIMIT })
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    default: DEFAULT_PAGE_LIMIT,
    description: `At most ${MAX_PAGE_LIMIT}`,
  })
  limit: number = DEFAULT_PAGE_LIMIT;
}

export interface Page {
  offset: number;
  limit: number;
}
