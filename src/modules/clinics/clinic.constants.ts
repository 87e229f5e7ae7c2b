/** Contract enums and the server-side defaults of the Clinics area (behavior-clinics.md §1, §2). */

export const ClinicianRole = {
  CLINIC_ADMIN: 'CLINIC_ADMIN',
  CLINIC_MEMBER: 'CLINIC_MEMBER',
  PRESCRIBER: 'PRESCRIBER',
} as const;
export type ClinicianRole = (typeof ClinicianRole)[keyof typeof ClinicianRole];

export const BgUnits = { MG_DL: 'mg/dL', MMOL_L: 'mmol/L' } as const;
export type BgUnits = (typeof BgUnits)[keyof typeof BgUnits];

export const ClinicType = {
  provider_practice: 'provider_practice',
  healthcare_system: 'healthcare_system',
  veterinary_clinic: 'veterinary_clinic',
  other: 'other',
  researcher: 'researcher',
} as const;

export const ClinicSize = {
  '0-249': '0-249',
  '250-499': '250-499',
  '500-999': '500-999',
  '1000+': '1000+',
} as const;

export const Tier = { tier0100: 'tier0100', tier0200: 'tier0200', tier0300: 'tier0300', tier0400: 'tier0400' } as const;
export type Tier = (typeof Tier)[keyof typeof Tier];

/** A clinic without a stored tier is on the free tier. */
export const DEFAULT_TIER: Tier = Tier.tier0100;

export const TIER_DESCRIPTIONS: Record<string, string> = {
  tier0100: 'Free',
  tier0200: 'Standard',
  tier0300: 'Premium',
  tier0400: 'Enterprise',
};

export const DEFAULT_BG_UNITS: BgUnits = BgUnits.MG_DL;

/** Default plan limit of a new clinic (only US clinics on the free tier are limited; §1.14). */
export const DEFAULT_HARD_LIMIT_PLAN = 250;

/** Share codes: 3 groups of 4 characters from an alphabet without I, O, 0 and 1 (§1.4). */
export const SHARE_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const SHARE_CODE_PATTERN =
  /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}$/;
