import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a secret a partner sent equals the configured one, in constant time (the digests are
 * compared, so neither the length nor the content leaks through timing). An unset or empty configured
 * secret matches nothing, not even an empty value.
 */
export function sharedSecretMatches(configured: string | undefined, given: unknown): boolean {
  if (!configured || typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(configured), digest(given));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
