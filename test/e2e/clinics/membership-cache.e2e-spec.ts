import { addClinician, createClinic, findClinicianDocuments } from '../../support/builders';
import { expectError } from '../../support/expect-error';
import { databaseCommands } from '../../support/metrics';
import { useTestApp } from '../../support/test-app';

/**
 * The authorization guard keeps the memberships it read (embedded database): a member's next
 * requests need no membership read, and every change of a clinic's clinicians applies to the very
 * next request.
 */
describe('Clinician memberships kept between requests', () => {
  const t = useTestApp();

  const listClinicians = (clinicId: string, token: string) =>
    t.call<any>('GET', `/v1/clinics/${clinicId}/clinicians`, { token });

  it("should read a member's membership once for repeated requests", async () => {
    const { clinicId } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const findsBefore = await databaseCommands(t, 'find');
    for (let i = 0; i < 5; i++) expect((await listClinicians(clinicId, member.token)).status).toBe(200);
    // One membership read, then one page read per request.
    expect((await databaseCommands(t, 'find')) - findsBefore).toBe(6);
  });

  it('should refuse a clinician removed by an admin on their next request', async () => {
    const { clinicId, admin } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    expect((await listClinicians(clinicId, member.token)).status).toBe(200);
    expect((await listClinicians(clinicId, member.token)).status).toBe(200);

    const removed = await t.call('DELETE', `/v1/clinics/${clinicId}/clinicians/${member.userId}`, {
      token: admin.token,
    });
    expect(removed.status).toBe(200);

    expectError(await listClinicians(clinicId, member.token), 403);
    const records = await findClinicianDocuments(t, clinicId);
    expect(records.map((record) => record.userId)).toEqual([admin.userId]);
  });

  it('should take admin rights from a demoted admin on their next request', async () => {
    const { clinicId, admin } = await createClinic(t);
    const second = await addClinician(t, clinicId, ['CLINIC_ADMIN']);
    const rename = (name: string) =>
      t.call<any>('PUT', `/v1/clinics/${clinicId}`, {
        token: second.token,
        body: { name, preferredBgUnits: 'mg/dL' },
      });
    expect((await rename('Renamed once')).status).toBe(200);
    expect((await rename('Renamed twice')).status).toBe(200);

    const demoted = await t.call<any>('PUT', `/v1/clinics/${clinicId}/clinicians/${second.userId}`, {
      token: admin.token,
      body: { email: second.email, roles: ['CLINIC_MEMBER'], name: 'Second' },
    });
    expect(demoted.status).toBe(200);
    expect(demoted.body.roles).toEqual(['CLINIC_MEMBER']);

    expectError(await rename('Renamed again'), 403);
    const clinic = await t.call<any>('GET', `/v1/clinics/${clinicId}`, { token: admin.token });
    expect(clinic.body.name).toBe('Renamed twice');
    // Still a member: member routes are allowed.
    expect((await listClinicians(clinicId, second.token)).status).toBe(200);
  });
});
