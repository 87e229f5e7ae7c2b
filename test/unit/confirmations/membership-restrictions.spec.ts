import { evaluateMembershipRestrictions } from '../../../src/modules/confirmations/membership-restrictions';

describe('evaluateMembershipRestrictions', () => {
  it('should let anyone join a clinic without restrictions', () => {
    expect(evaluateMembershipRestrictions([], 'a@anywhere.org', undefined)).toEqual({ canAccept: true });
  });

  it('should accept a matching domain without an identity provider, case-insensitively', () => {
    expect(evaluateMembershipRestrictions([{ emailDomain: 'Example.COM' }], 'Ann@example.com', undefined)).toEqual({
      canAccept: true,
    });
  });

  it('should require the named identity provider, and report it when missing', () => {
    const restrictions = [{ emailDomain: 'example.com', requiredIdp: 'Hospital-SSO' }];
    expect(evaluateMembershipRestrictions(restrictions, 'ann@example.com', 'hospital-sso')).toEqual({
      canAccept: true,
    });
    expect(evaluateMembershipRestrictions(restrictions, 'ann@example.com', 'other')).toEqual({
      canAccept: false,
      requiredIdp: 'Hospital-SSO',
    });
    expect(evaluateMembershipRestrictions(restrictions, 'ann@example.com', undefined)).toEqual({
      canAccept: false,
      requiredIdp: 'Hospital-SSO',
    });
  });

  it('should refuse when no domain matches, including look-alike suffixes', () => {
    expect(evaluateMembershipRestrictions([{ emailDomain: 'example.com' }], 'ann@notexample.com', undefined)).toEqual({
      canAccept: false,
    });
    expect(evaluateMembershipRestrictions([{ emailDomain: 'example.com' }], undefined, undefined)).toEqual({
      canAccept: false,
    });
  });

  it('should let the first matching restriction decide', () => {
    const strictFirst = [{ emailDomain: 'example.com', requiredIdp: 'sso' }, { emailDomain: 'example.com' }];
    expect(evaluateMembershipRestrictions(strictFirst, 'ann@example.com', undefined)).toEqual({
      canAccept: false,
      requiredIdp: 'sso',
    });
    const otherFirst = [{ emailDomain: 'other.org', requiredIdp: 'sso' }, { emailDomain: 'example.com' }];
    expect(evaluateMembershipRestrictions(otherFirst, 'ann@example.com', undefined)).toEqual({ canAccept: true });
  });
});
