import { ApiProperty } from '@nestjs/swagger';

/** `error.v1`, as the contract documents error bodies (validation errors add `details`). */
export class ErrorResponse {
  @ApiProperty({ type: 'integer', example: 404 })
  code: number;

  @ApiProperty({ example: 'clinic not found' })
  message: string;
}
