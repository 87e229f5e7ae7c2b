import { addClinician, createClinic, findClinicianDocuments } from '../../support/builders';
import { expectError } from '../../support/expect-error';
import { databaseCommands } from '../../support/metrics';
import { useTestApp } from '../../support/test-app';

/**
 * What requests read of a clinic is kept for the next ones (the read caches, on with the embedded
 * database): the authorization guard's memberships and GetClinic's clinic. Every change of the clinic
 * applies to the very next request.
 */
describe('Clinic read caches', () => {
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

  it("should answer GetClinic from the cache until the clinic is written, then the clinic's new state", async () => {
    const { clinicId, admin } = await createClinic(t);
    const server = await t.tokens.server();
    const getClinic = () => t.call<any>('GET', `/v1/clinics/${clinicId}`, { token: admin.token });
    const findsBefore = await databaseCommands(t, 'find');
    for (let i = 0; i < 4; i++) expect((await getClinic()).body.name).toBe('Test Clinic');
    // One clinic read for the four answers.
    expect((await databaseCommands(t, 'find')) - findsBefore).toBe(1);

    const updated = await t.call<any>('PUT', `/v1/clinics/${clinicId}`, {
      token: admin.token,
      body: { name: 'Renamed', preferredBgUnits: 'mmol/L' },
    });
    expect(updated.status).toBe(200);
    const after = await getClinic();
    expect(after.body).toMatchObject({ id: clinicId, name: 'Renamed', preferredBgUnits: 'mmol/L' });
    expect(after.body.updatedTime).toBe(updated.body.updatedTime);

    expect((await t.call('DELETE', `/v1/clinics/${clinicId}`, { token: server })).status).toBe(204);
    expectError(await t.call('GET', `/v1/clinics/${clinicId}`, { token: server }), 404, 'clinic not found');
  });
});
