import {
  Allow,
  allows,
  isPublicRoute,
  mayAllowWithMembership,
  needsMembership,
} from '../../../src/auth/authorization/access-rules';
import { sharedSecretMatches } from '../../../src/auth/shared-secret';
import type { Principal } from '../../../src/auth/principal';

const user = (subjectId: string): Principal => ({ subjectId, isServer: false });
const server: Principal = { subjectId: 'orca', isServer: true };

describe('access rules and the membership read', () => {
  it('should need the clinician record only for membership rules', () => {
    expect(
      [Allow.server, Allow.user, Allow.self('userId'), Allow.serverWhenParam('p', 'v')].map(needsMembership),
    ).toEqual([false, false, false, false]);
    expect(
      [Allow.clinicMember, Allow.clinicAdmin, Allow.clinicRecord, Allow.selfMember('clinicianId')].map(needsMembership),
    ).toEqual([true, true, true, true]);
  });

  it('should not consider SELF+MEM worth a read when the path names another user or the caller is a server', () => {
    const rule = Allow.selfMember('clinicianId');
    expect(mayAllowWithMembership(rule, { principal: user('u1'), params: { clinicianId: 'u1' } })).toBe(true);
    expect(mayAllowWithMembership(rule, { principal: user('u1'), params: { clinicianId: 'u2' } })).toBe(false);
    expect(mayAllowWithMembership(rule, { principal: server, params: { clinicianId: 'orca' } })).toBe(false);
    expect(mayAllowWithMembership(Allow.user, { principal: user('u1'), params: {} })).toBe(false);
  });

  it('should decide membership rules on the record read', () => {
    const membership = { id: 'c', clinicId: 'k', userId: 'u1', roles: ['CLINIC_MEMBER'] };
    const context = { principal: user('u1'), params: { clinicianId: 'u1' } };
    expect(allows(Allow.clinicMember, { ...context, membership })).toBe(true);
    expect(allows(Allow.clinicAdmin, { ...context, membership })).toBe(false);
    expect(allows(Allow.selfMember('clinicianId'), { ...context, membership })).toBe(true);
    expect(allows(Allow.clinicMember, context)).toBe(false);
  });

  it('should make a route public only through the one declared PUBLIC rule (deny by default otherwise)', () => {
    const publicRule = Allow.publicRoute('a webhook secret');
    expect(isPublicRoute([publicRule])).toBe(true);
    expect(isPublicRoute(undefined)).toBe(false);
    expect(isPublicRoute([])).toBe(false);
    expect(isPublicRoute([Allow.server])).toBe(false);
    expect(isPublicRoute([publicRule, Allow.server])).toBe(false);
    expect(isPublicRoute([Allow.user, publicRule])).toBe(false);
    // It never grants a session caller anything by itself.
    expect(allows(publicRule, { principal: server, params: {} })).toBe(false);
    expect(allows(publicRule, { principal: user('u1'), params: {} })).toBe(false);
  });
});

describe('shared secrets of partner webhooks', () => {
  it('should match only the configured secret, exactly', () => {
    expect(sharedSecretMatches('redox-token', 'redox-token')).toBe(true);
    expect(sharedSecretMatches('redox-token', 'redox-tokem')).toBe(false);
    expect(sharedSecretMatches('redox-token', 'redox-token ')).toBe(false);
    expect(sharedSecretMatches('redox-token', 'REDOX-TOKEN')).toBe(false);
    expect(sharedSecretMatches('redox-token', '')).toBe(false);
    expect(sharedSecretMatches('redox-token', undefined)).toBe(false);
    expect(sharedSecretMatches('redox-token', 42)).toBe(false);
  });

  it('should match nothing when no secret is configured, not even an empty value', () => {
    for (const configured of [undefined, '']) {
      expect(sharedSecretMatches(configured, '')).toBe(false);
      expect(sharedSecretMatches(configured, undefined)).toBe(false);
      expect(sharedSecretMatches(configured, 'anything')).toBe(false);
    }
  });
});
