import { CanActivate, ExecutionContext, Injectable, OnModuleInit } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ApiError } from '../../common/errors/api-error';
import { OBJECT_ID_PATTERN } from '../../common/validation/patterns';
import { AccessRule, allows, isPublicRoute, mayAllowWithMembership, needsMembership } from './access-rules';
import { ACCESS_RULES_KEY, AuthenticatedRequest } from './authorize.decorator';
import { ClinicianMembership, ClinicianMembershipLookup } from './clinician-membership';

export const FORBIDDEN_MESSAGE = 'security requirements failed: the subject is not authorized for the requested action';

/**
 * Second global guard: applies the handler's `@Authorize` rules; deny by default. It runs before
 * validation pipes and handlers, so a caller who is not allowed gets 403 even for malformed
 * requests or clinics that do not exist.
 */
@Injectable()
export class AuthorizationGuard implements CanActivate, OnModuleInit {
  private membershipLookup?: ClinicianMembershipLookup;

  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
  ) {}

  /**
   * Resolves the membership lookup from whichever module provides it (the Clinics module), without an
   * import cycle. Without it no clinic role could ever be checked, so start-up fails instead of every
   * clinic route silently denying.
   */
  onModuleInit(): void {
    let lookup: ClinicianMembershipLookup | undefined;
    try {
      lookup = this.moduleRef.get(ClinicianMembershipLookup, { strict: false });
    } catch {
      lookup = undefined;
    }
    if (!lookup) {
      throw new Error(
        'AuthorizationGuard: no ClinicianMembershipLookup provider was found (the Clinics module provides it)',
      );
    }
    this.membershipLookup = lookup;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const rules = this.reflector.getAllAndOverride<AccessRule[] | undefined>(ACCESS_RULES_KEY, targets);
    // The declared PUBLIC rule, alone; anything else needs a principal and a rule that allows it.
    if (isPublicRoute(rules)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest & { params?: Record<string, string> }>();
    const principal = request.user;
    if (!rules || rules.length === 0 || !principal) throw ApiError.forbidden(FORBIDDEN_MESSAGE);

    const params = request.params ?? {};
    // The clinician record is read only when no other rule allows the call and a membership rule may.
    if (rules.some((rule) => !needsMembership(rule) && allows(rule, { principal, params }))) return true;
    if (!rules.some((rule) => mayAllowWithMembership(rule, { principal, params }))) {
      throw ApiError.forbidden(FORBIDDEN_MESSAGE);
    }
    const membership = await this.findMembership(params.clinicId, principal.subjectId);
    request.clinicianMembership = membership;
    if (rules.some((rule) => allows(rule, { principal, membership, params }))) return true;
    throw ApiError.forbidden(FORBIDDEN_MESSAGE);
  }

  /** One read per request, only for routes with a well-formed `clinicId`. */
  private async findMembership(clinicId: string | undefined, userId: string): Promise<ClinicianMembership | undefined> {
    if (!clinicId || !OBJECT_ID_PATTERN.test(clinicId)) return undefined;
    if (!this.membershipLookup) throw new Error('AuthorizationGuard used before the module was initialised');
    return this.membershipLookup.findMembership(clinicId, userId);
  }
}
