import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { SESSION_TOKEN_SCHEME } from '../../common/openapi/openapi';
import type { Principal } from '../principal';
import type { AccessRule } from './access-rules';
import type { ClinicianMembership } from './clinician-membership';

export const ACCESS_RULES_KEY = 'clinics:access-rules';
export const PUBLIC_ROUTE_KEY = 'clinics:public-route';

/** Who may call this handler: a session token is required and any one of the rules must hold. */
export function Authorize(...rules: AccessRule[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_RULES_KEY, rules), ApiSecurity(SESSION_TOKEN_SCHEME));
}

/** No session token: the route protects itself (webhook secrets) or is open (health). */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE_KEY, true);
}

export interface AuthenticatedRequest {
  user?: Principal;
  clinicianMembership?: ClinicianMembership;
}

/** The principal of the session token (only on `@Authorize` routes). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!principal) throw new Error('CurrentPrincipal used on a route without @Authorize');
  return principal;
});

/**
 * The caller's clinician record in the path clinic, as the authorization guard read it — only when a
 * membership rule decided the call (undefined for server tokens and other rules). Its presence proves
 * the clinic exists.
 */
export const CurrentMembership = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClinicianMembership | undefined =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().clinicianMembership,
);
