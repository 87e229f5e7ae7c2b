import type { MembershipRestriction } from '../clinics/clinics/clinics.service';

export interface AcceptanceRestrictions {
  canAccept: boolean;
  /** Set when the user must sign in with this identity provider before accepting. */
  requiredIdp?: string;
}

/**
 * Whether a user may join a clinic with membership restrictions. No restrictions: anyone. Otherwise
 * the first restriction whose `@domain` ends the user's e-mail (case-insensitive) decides: allowed
 * when it names no identity provider or the caller's session came from that provider.
 */
export function evaluateMembershipRestrictions(
  restrictions: MembershipRestriction[],
  email: string | undefined,
  identityProvider: string | undefined,
): AcceptanceRestrictions {
  if (restrictions.length === 0) return { canAccept: true };
  const address = (email ?? '').toLowerCase();
  const decisive = restrictions.find(
    (restriction) => restriction.emailDomain && address.endsWith(`@${restriction.emailDomain.toLowerCase()}`),
  );
  if (!decisive) return { canAccept: false };
  if (!decisive.requiredIdp) return { canAccept: true };
  const matches = identityProvider?.toLowerCase() === decisive.requiredIdp.toLowerCase();
  return matches ? { canAccept: true } : { canAccept: false, requiredIdp: decisive.requiredIdp };
}
