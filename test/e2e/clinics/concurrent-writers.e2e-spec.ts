import {
  addClinician,
  createClinic,
  findClinicDocument,
  findClinicianDocuments,
  SeededClinician,
} from '../../support/builders';
import { WriteLocks } from '../../../src/database/write-gate';
import { TestResponse, useTestApp } from '../../support/test-app';
import { expectAdminsConsistent } from './expectations';

const WRITERS = 600;
const CLINICIANS = 9;
const TIERS = ['tier0100', 'tier0200', 'tier0300', 'tier0400'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * 600 writers on one clinic at once — role changes of its clinicians, tier, MRN and notification
 * settings, renames — all go through the clinic's write gate: every request succeeds (no lock
 * timeouts), no update is lost and the invariants hold.
 */
describe('600 concurrent writers on one clinic', () => {
  const t = useTestApp();

  it('should answer every request with 200, lose no update and keep the invariants', async () => {
    const { clinicId, admin } = await createClinic(t, { name: 'Busy Clinic' });
    const clinicians: SeededClinician[] = [];
    for (let i = 0; i < CLINICIANS; i++) clinicians.push(await addClinician(t, clinicId, ['CLINIC_MEMBER']));
    const server = await t.tokens.server();

    const sentNames = new Set<string>();
    const requests: Array<() => Promise<TestResponse>> = Array.from({ length: WRITERS }, (_, i) => {
      switch (i % 5) {
        case 0:
        case 1: {
          const clinician = clinicians[i % CLINICIANS];
          const roles = (i / 5) % 2 < 1 ? ['CLINIC_ADMIN'] : ['CLINIC_MEMBER'];
          return () =>
            t.call('PUT', `/v1/clinics/${clinicId}/clinicians/${clinician.userId}`, {
              token: admin.token,
              body: { email: `c${i}@example.com`, name: `Clinician ${i}`, roles },
            });
        }
        case 2:
          return () =>
            t.call('POST', `/v1/clinics/${clinicId}/tier`, { token: server, body: { tier: TIERS[i % TIERS.length] } });
        case 3:
          return () =>
            t.call('PUT', `/v1/clinics/${clinicId}/settings/mrn`, {
              token: server,
              body: { required: i % 2 === 0, unique: true },
            });
        default: {
          const name = `Busy Clinic ${i}`;
          sentNames.add(name);
          return () =>
            t.call('PUT', `/v1/clinics/${clinicId}`, {
              token: admin.token,
              body: { name, preferredBgUnits: 'mg/dL', timezone: 'Europe/Paris' },
            });
        }
      }
    });

    const started = Date.now();
    const latencies: number[] = [];
    const responses = await Promise.all(
      requests.map(async (send) => {
        const sent = Date.now();
        const res = await send();
        latencies.push(Date.now() - sent);
        return res;
      }),
    );
    const wallMs = Date.now() - started;
    latencies.sort((a, b) => a - b);
    console.info(
      `${WRITERS} concurrent writers on one clinic: wall ${wallMs} ms, p50 ${percentile(latencies, 50)} ms, ` +
        `p99 ${percentile(latencies, 99)} ms`,
    );

    const statuses: Record<number, number> = {};
    for (const res of responses) statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    expect(statuses).toEqual({ 200: WRITERS });

    // The admin invariant, and `admins` equal to the records holding CLINIC_ADMIN.
    const admins = await expectAdminsConsistent(t, clinicId);
    expect(admins).toContain(admin.userId);

    // No lost `$push`: each clinician's role log alternates, and its last entry is the current roles.
    const records = await findClinicianDocuments(t, clinicId);
    expect(records).toHaveLength(CLINICIANS + 1);
    let logged = 0;
    for (const record of records.filter((r) => r.userId !== admin.userId)) {
      const log: Array<{ roles: string[] }> = record.rolesUpdates ?? [];
      logged += log.length;
      for (let k = 1; k < log.length; k++) expect(log[k].roles).not.toEqual(log[k - 1].roles);
      if (log.length > 0) expect(log[log.length - 1].roles).toEqual(record.roles);
      else expect(record.roles).toEqual(['CLINIC_MEMBER']);
    }
    expect(logged).toBeGreaterThan(CLINICIANS);

    // The clinic document kept every field one of the writers set (no write clobbered another's field).
    const clinic = await findClinicDocument(t, clinicId);
    expect(sentNames).toContain(clinic.name);
    expect(TIERS).toContain(clinic.tier);
    expect(clinic.mrnSettings).toEqual({ required: expect.any(Boolean), unique: true });
    expect(clinic.timezone).toBe('Europe/Paris');
  }, 120_000);
});

describe('a clinic whose writers queue beyond the wait bound', () => {
  const t = useTestApp({
    override: (builder) => builder.overrideProvider(WriteLocks).useValue(new WriteLocks({ maxWaitMs: 1 })),
  });

  it('should answer 503 with Retry-After to the writers it cannot take in time, and apply the others', async () => {
    const { clinicId } = await createClinic(t);
    const server = await t.tokens.server();
    const responses = await Promise.all(
      TIERS.flatMap((tier) => [tier, tier]).map((tier) =>
        t.call('POST', `/v1/clinics/${clinicId}/tier`, { token: server, body: { tier } }),
      ),
    );
    const refused = responses.filter((res) => res.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    expect(responses.filter((res) => res.status === 200).length).toBeGreaterThan(0);
    expect(responses.length).toBe(refused.length + responses.filter((res) => res.status === 200).length);
    for (const res of refused) {
      expect(res.body).toEqual({
        code: 503,
        message: 'service unavailable: too many concurrent changes to the same clinic, please retry',
      });
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
    }
    // The key is free again: the next write is served.
    expect(
      (await t.call('POST', `/v1/clinics/${clinicId}/tier`, { token: server, body: { tier: 'tier0300' } })).status,
    ).toBe(200);
    expect((await findClinicDocument(t, clinicId)).tier).toBe('tier0300');
  });
});
