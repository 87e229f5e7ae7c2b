import { findClinicDocument, findClinicianDocuments } from '../../support/builders';
import { expectError, FORBIDDEN_MESSAGE } from '../../support/expect-error';
import type { TestApp, TestResponse } from '../../support/test-app';

/**
 * The denial cases every operation's tests start with: no token → 400, a bad token → 401, and 403
 * for each of the given callers (wrong role, another clinic's member, …).
 */
export async function expectDenials(
  call: (token?: string) => Promise<TestResponse>,
  forbidden: Record<string, string>,
): Promise<void> {
  expectError(await call(undefined), 400, 'session token is missing');
  expectError(await call('not-a-valid-token'), 401, 'session token is invalid');
  for (const [caller, token] of Object.entries(forbidden)) {
    const res = await call(token);
    expect({ caller, status: res.status }).toEqual({ caller, status: 403 });
    expectError(res, 403, FORBIDDEN_MESSAGE);
  }
}

/** The admin invariant: `admins` is non-empty and lists exactly the clinicians holding CLINIC_ADMIN. */
export async function expectAdminsConsistent(t: TestApp, clinicId: string): Promise<string[]> {
  const clinic = await findClinicDocument(t, clinicId);
  const clinicians = await findClinicianDocuments(t, clinicId);
  const adminRecords = clinicians
    .filter((clinician) => clinician.userId && clinician.roles.includes('CLINIC_ADMIN'))
    .map((clinician) => clinician.userId as string)
    .sort();
  expect([...clinic.admins].sort()).toEqual(adminRecords);
  expect(adminRecords.length).toBeGreaterThanOrEqual(1);
  return adminRecords;
}

export const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const SHARE_CODE =
  /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{4}$/;
