import type { Principal } from '../principal';
import type { ClinicianMembership } from './clinician-membership';

/** One way to be allowed; a handler lists the alternatives (any one suffices). See authz.md §4. */
export type AccessRule =
  /** SRV: any server token. */
  | { kind: 'server' }
  /** USR: any user token. */
  | { kind: 'user' }
  /** MEM: clinician in the path clinic with CLINIC_MEMBER or CLINIC_ADMIN. */
  | { kind: 'clinicMember' }
  /** ADM: clinician in the path clinic with CLINIC_ADMIN. */
  | { kind: 'clinicAdmin' }
  /** Any clinician record in the path clinic, whatever its roles. */
  | { kind: 'clinicRecord' }
  /** SELF(param): user token whose subject equals the path parameter. */
  | { kind: 'self'; param: string }
  /** SELF(param) and MEM. */
  | { kind: 'selfMember'; param: string }
  /** SRV, only when the path parameter has this literal value. */
  | { kind: 'serverWhenParam'; param: string; value: string }
  /**
   * PUBLIC: no session token at all. Only ever the one rule of a handler (see {@link isPublicRoute}),
   * declared with `@Public(protectedBy)`, which names what protects the route instead (a webhook
   * secret, or nothing for health probes).
   */
  | { kind: 'public'; protectedBy: string };

/** The rules `@Authorize` takes: every one of them needs a session token. */
export type SessionAccessRule = Exclude<AccessRule, { kind: 'public' }>;

export const Allow = {
  server: { kind: 'server' },
  user: { kind: 'user' },
  clinicMember: { kind: 'clinicMember' },
  clinicAdmin: { kind: 'clinicAdmin' },
  clinicRecord: { kind: 'clinicRecord' },
  self: (param: string): SessionAccessRule => ({ kind: 'self', param }),
  selfMember: (param: string): SessionAccessRule => ({ kind: 'selfMember', param }),
  serverWhenParam: (param: string, value: string): SessionAccessRule => ({ kind: 'serverWhenParam', param, value }),
  publicRoute: (protectedBy: string): AccessRule => ({ kind: 'public', protectedBy }),
} as const satisfies Record<string, AccessRule | ((...args: string[]) => AccessRule)>;

/**
 * Whether a handler's declared rules make it public: exactly one rule, and that rule is PUBLIC. No
 * rules, or a PUBLIC rule mixed with others, is not public (deny by default).
 */
export function isPublicRoute(rules: readonly AccessRule[] | undefined): boolean {
  return rules?.length === 1 && rules[0].kind === 'public';
}

const READ_ROLES = new Set(['CLINIC_MEMBER', 'CLINIC_ADMIN']);

export interface AccessContext {
  principal: Principal;
  membership?: ClinicianMembership;
  params: Record<string, string | undefined>;
}

/** Rules that can only be decided with the caller's clinician record in the path clinic. */
export function needsMembership(rule: AccessRule): boolean {
  return (
    rule.kind === 'clinicMember' ||
    rule.kind === 'clinicAdmin' ||
    rule.kind === 'clinicRecord' ||
    rule.kind === 'selfMember'
  );
}

/**
 * Whether a membership rule could still allow the call once the record is read; false when its other
 * conditions already fail (e.g. SELF+MEM for another user), so the record need not be read.
 */
export function mayAllowWithMembership(
  rule: AccessRule,
  { principal, params }: Omit<AccessContext, 'membership'>,
): boolean {
  if (!needsMembership(rule)) return false;
  if (rule.kind === 'selfMember') return !principal.isServer && params[rule.param] === principal.subjectId;
  return true;
}

export function allows(rule: AccessRule, { principal, membership, params }: AccessContext): boolean {
  const roles = membership?.roles ?? [];
  const isUser = !principal.isServer && principal.subjectId.length > 0;
  const isMember = roles.some((role) => READ_ROLES.has(role));
  switch (rule.kind) {
    case 'server':
      return principal.isServer;
    case 'user':
      return isUser;
    case 'clinicMember':
      return isMember;
    case 'clinicAdmin':
      return roles.includes('CLINIC_ADMIN');
    case 'clinicRecord':
      return membership !== undefined;
    case 'self':
      return isUser && params[rule.param] === principal.subjectId;
    case 'selfMember':
      return isUser && params[rule.param] === principal.subjectId && isMember;
    case 'serverWhenParam':
      return principal.isServer && params[rule.param] === rule.value;
    case 'public':
      // Decided before authentication by isPublicRoute; never grants a session caller anything.
      return false;
  }
}
