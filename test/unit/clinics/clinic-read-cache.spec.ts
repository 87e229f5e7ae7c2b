import type { ClinicianMembership } from '../../../src/auth/authorization/clinician-membership';
import { ClinicReadCache, ClinicReadCaches } from '../../../src/modules/clinics/clinic-read-cache';

const CLINIC = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'bbbbbbbbbbbbbbbbbbbbbbbb';

const member = (clinicId = CLINIC, userId = 'u1', roles = ['CLINIC_MEMBER']): ClinicianMembership => ({
  id: 'cccccccccccccccccccccccc',
  clinicId,
  userId,
  roles,
});

const membershipCache = (options: { enabled?: boolean; maxEntries?: number; ttlMs?: number } = {}) =>
  new ClinicReadCache<ClinicianMembership>({
    enabled: true,
    copy: (m) => ({ ...m, roles: [...m.roles] }),
    ...options,
  });

describe('ClinicReadCache', () => {
  it('should answer a stored membership as a copy, per clinic and user', () => {
    const cache = membershipCache();
    cache.store(cache.readStarted(), CLINIC, 'u1', member());
    const found = cache.get(CLINIC, 'u1');
    expect(found).toEqual(member());
    found!.roles.push('CLINIC_ADMIN');
    expect(cache.get(CLINIC, 'u1')!.roles).toEqual(['CLINIC_MEMBER']);
    expect(cache.get(CLINIC, 'u2')).toBeUndefined();
    expect(cache.get(OTHER, 'u1')).toBeUndefined();
    expect(cache.get(CLINIC.toUpperCase(), 'u1')).toEqual(member());
  });

  it("should drop a clinic's memberships when a gated run of it starts, and keep other clinics'", () => {
    const cache = membershipCache();
    cache.store(cache.readStarted(), CLINIC, 'u1', member(CLINIC, 'u1'));
    cache.store(cache.readStarted(), CLINIC, 'u2', member(CLINIC, 'u2'));
    cache.store(cache.readStarted(), OTHER, 'u1', member(OTHER, 'u1'));
    cache.writesBegin(CLINIC);
    expect(cache.get(CLINIC, 'u1')).toBeUndefined();
    expect(cache.get(CLINIC, 'u2')).toBeUndefined();
    expect(cache.get(OTHER, 'u1')).toEqual(member(OTHER, 'u1'));
    cache.writesEnd(CLINIC);
  });

  it('should not store while a gated run of the clinic is in progress, nor what was read before a run began or ended', () => {
    const cache = membershipCache();
    // A run in progress (the read may see the record half-way through its changes).
    cache.writesBegin(CLINIC);
    cache.store(cache.readStarted(), CLINIC, 'u1', member());
    expect(cache.get(CLINIC, 'u1')).toBeUndefined();
    // Read started during the run, stored after it ended.
    const duringRun = cache.readStarted();
    cache.writesEnd(CLINIC);
    cache.store(duringRun, CLINIC, 'u1', member());
    expect(cache.get(CLINIC, 'u1')).toBeUndefined();
    // Read started before a run that began and ended while it was on its way.
    const beforeRun = cache.readStarted();
    cache.writesBegin(CLINIC);
    cache.writesEnd(CLINIC);
    cache.store(beforeRun, CLINIC, 'u1', member());
    expect(cache.get(CLINIC, 'u1')).toBeUndefined();
    // Runs of another clinic do not matter; a read started after the last run is kept.
    const afterRun = cache.readStarted();
    cache.writesBegin(OTHER);
    cache.store(afterRun, CLINIC, 'u1', member());
    expect(cache.get(CLINIC, 'u1')).toEqual(member());
  });

  it('should stay exact when the record of when clinics changed overflows its bound', () => {
    const cache = membershipCache({ maxEntries: 2 });
    const readStarted = cache.readStarted();
    cache.writesBegin(CLINIC);
    cache.writesEnd(CLINIC);
    // Pushes CLINIC out of the bounded record of changes.
    for (const clinic of ['c1', 'c2', 'c3']) {
      cache.writesBegin(clinic);
      cache.writesEnd(clinic);
    }
    cache.store(readStarted, CLINIC, 'u1', member());
    expect(cache.get(CLINIC, 'u1')).toBeUndefined();
  });

  it('should keep nothing when disabled (a database other processes write)', () => {
    const cache = membershipCache({ enabled: false });
    cache.store(cache.readStarted(), CLINIC, 'u1', member());
    expect(cache.get(CLINIC, 'u1')).toBeUndefined();
  });

  it('should forget a membership after its time to live', async () => {
    const cache = membershipCache({ ttlMs: 50 });
    cache.store(cache.readStarted(), CLINIC, 'u1', member());
    expect(cache.get(CLINIC, 'u1')).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(cache.get(CLINIC, 'u1')).toBeUndefined();
  });

  it('should drop every cache of a clinic together (ClinicReadCaches, as the write gate calls it)', () => {
    const caches = new ClinicReadCaches(true);
    caches.memberships.store(caches.memberships.readStarted(), CLINIC, 'u1', member());
    const clinic = { _id: CLINIC, name: 'Kept' } as never;
    caches.clinics.store(caches.clinics.readStarted(), CLINIC, 'clinic', clinic);
    expect(caches.clinics.get(CLINIC, 'clinic')).toEqual(clinic);
    caches.writesBegin(CLINIC);
    caches.writesEnd(CLINIC);
    expect(caches.memberships.get(CLINIC, 'u1')).toBeUndefined();
    expect(caches.clinics.get(CLINIC, 'clinic')).toBeUndefined();
  });
});
