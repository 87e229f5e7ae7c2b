import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { SESSION_TOKEN_SCHEME } from '../../common/openapi/openapi';
import type { Principal } from '../principal';
import { Allow, type SessionAccessRule } from './access-rules';
import type { ClinicianMembership } from './clinician-membership';

export const ACCESS_RULES_KEY = 'clinics:access-rules';

/** Who may call this handler: a session token is required and any one of the rules must hold. */
export function Authorize(...rules: SessionAccessRule[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ACCESS_RULES_KEY, rules), ApiSecurity(SESSION_TOKEN_SCHEME));
}

/**
 * The declared PUBLIC rule: no session token; `protectedBy` names what protects the route instead (a
 * webhook secret checked by the handler or its own guard) or why it is open (health probes).
 */
export function Public(protectedBy = 'nothing: open to everyone'): MethodDecorator & ClassDecorator {
  return SetMetadata(ACCESS_RULES_KEY, [Allow.publicRoute(protectedBy)]);
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
