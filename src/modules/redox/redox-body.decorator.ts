import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/**
 * The parsed JSON body exactly as received: no DTO, no validation pipe, nothing stripped (Redox
 * webhooks are stored whole and checked by hand).
 */
export const ReceivedBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown => context.switchToHttp().getRequest<{ body?: unknown }>().body,
);
