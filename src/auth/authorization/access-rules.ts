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
  | { kind: 'serverWhenParam'; param: string; value: string };

export const Allow = {
  server: { kind: 'server' },
  user: { kind: 'user' },
  clinicMember: { kind: 'clinicMember' },
  clinicAdmin: { kind: 'clinicAdmin' },
  clinicRecord: { kind: 'clinicRecord' },
  self: (param: string): AccessRule => ({ kind: 'self', param }),
  selfMember: (param: string): AccessRule => ({ kind: 'selfMember', param }),
  serverWhenParam: (param: string, value: string): AccessRule => ({ kind: 'serverWhenParam', param, value }),
} as const satisfies Record<string, AccessRule | ((...args: string[]) => AccessRule)>;

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
  }
}
