import type { Principal } from '../principal';

/**
 * Validates a session token. Returns the principal for a valid token and `undefined` for an
 * invalid, expired or unverifiable one; it never throws for a bad token or an unreachable
 * validator (both mean "invalid": 401, never 500).
 */
export abstract class TokenValidator {
  abstract validate(token: string): Promise<Principal | undefined>;
}
