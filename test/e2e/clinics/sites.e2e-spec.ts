import { Types } from 'mongoose';
import { addClinician, createClinic, findClinicDocument, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient, findPatientDocument } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from './expectations';

const TOO_MANY_SITES = 'constraint violation: the clinic already has the maximum number of 50 sites';

describe('Sites — CreateSite, UpdateSite, DeleteSite, MergeSite, ConvertPatientTagToSite', () => {
  const t = useTestApp();

  const createSite = (clinicId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/sites`, { token, body });
  const updateSite = (clinicId: string, siteId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('PUT', `/v1/clinics/${clinicId}/sites/${siteId}`, { token, body });
  const deleteSite = (clinicId: string, siteId: string, token: string | undefined) =>
    t.call<any>('DELETE', `/v1/clinics/${clinicId}/sites/${siteId}`, { token });
  const mergeSite = (clinicId: string, siteId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/sites/${siteId}/merge`, { token, body });
  const convert = (clinicId: string, tagId: string, token: string | undefined) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags/${tagId}/site`, { token });
  const storedSites = async (clinicId: string) =>
    ((await findClinicDocument(t, clinicId)).sites ?? []).map((site: any) => ({
      id: String(site.id),
      name: site.name,
    }));
  const patientSites = async (clinicId: string, userId: string) =>
    ((await findPatientDocument(t, clinicId, userId)).sites ?? []).map((site: any) => ({
      id: String(site.id),
      name: site.name,
    }));
  const seedSites = async (clinicId: string, count: number) => {
    const sites = Array.from({ length: count }, (_, i) => ({ id: new Types.ObjectId(), name: `Seed ${i}` }));
    await t.connection.collection('clinics').updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { sites } });
  };
  /** A clinic with an admin and a server token at hand. */
  const setup = async () => {
    const created = await createClinic(t);
    return { ...created, server: await t.tokens.server() };
  };

  describe('CreateSite', () => {
    it('should deny members, prescribers, plain users and other clinics’ admins, writing nothing', async () => {
      const { clinicId } = await setup();
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => createSite(clinicId, token, { name: 'Denied' }), {
        member: member.token,
        prescriber: prescriber.token,
        user: outsider.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await storedSites(clinicId)).toEqual([]);
    });

    it('should create sites for an admin and a server, answering {id, name}', async () => {
      const { clinicId, admin, server } = await setup();
      const north = await createSite(clinicId, admin.token, { name: 'North Wing' });
      expect(north.status).toBe(200);
      expect(north.body).toEqual({ id: expect.stringMatching(/^[a-f0-9]{24}$/), name: 'North Wing' });
      const south = await createSite(clinicId, server, { name: 'South' });
      expect(south.status).toBe(200);
      expect(await storedSites(clinicId)).toEqual([north.body, south.body]);
      const clinic = await t.call<any>('GET', `/v1/clinics/${clinicId}`, { token: admin.token });
      expect(clinic.body.sites).toEqual([north.body, south.body]);
    });

    it('should refuse bad names (400), duplicates (409), a 51st site (422) and a missing clinic (404)', async () => {
      const { clinicId, admin, server } = await setup();
      expectValidationError(await createSite(clinicId, admin.token), 'name');
      expectValidationError(await createSite(clinicId, admin.token, { name: '' }), 'name');
      expectValidationError(await createSite(clinicId, admin.token, { name: ' Leading' }), 'name');
      expectValidationError(await createSite(clinicId, admin.token, { name: 'x'.repeat(201) }), 'name');
      expect(await storedSites(clinicId)).toEqual([]);
      expect((await createSite(clinicId, admin.token, { name: 'Main' })).status).toBe(200);
      expectError(await createSite(clinicId, admin.token, { name: 'MAIN' }), 409, 'duplicate site name');
      await seedSites(clinicId, 50);
      expectError(await createSite(clinicId, admin.token, { name: 'Fifty One' }), 422, TOO_MANY_SITES);
      expectError(await createSite(clinicId, admin.token, { name: 'seed 1' }), 409, 'duplicate site name');
      expect(await storedSites(clinicId)).toHaveLength(50);
      expectError(await createSite(newObjectId(), server, { name: 'Ghost' }), 404, 'clinic not found');
    });

    it('should keep names unique and the limit under concurrent creates', async () => {
      const { clinicId, admin } = await setup();
      const same = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          createSite(clinicId, admin.token, { name: i % 2 ? 'Clinic A' : 'clinic a' }),
        ),
      );
      expect(same.map((res) => res.status).sort()).toEqual([200, ...Array(19).fill(409)]);
      expect(await storedSites(clinicId)).toHaveLength(1);

      const other = await setup();
      await seedSites(other.clinicId, 49);
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) => createSite(other.clinicId, other.admin.token, { name: `Parallel ${i}` })),
      );
      expect(many.map((res) => res.status).sort()).toEqual([200, ...Array(19).fill(422)]);
      expect(await storedSites(other.clinicId)).toHaveLength(50);
    });
  });

  describe('UpdateSite', () => {
    it('should deny members, plain users and other clinics’ admins, changing nothing', async () => {
      const { clinicId, admin } = await setup();
      const site = (await createSite(clinicId, admin.token, { name: 'Before' })).body;
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => updateSite(clinicId, site.id, token, { name: 'After' }), {
        member: member.token,
        user: outsider.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await storedSites(clinicId)).toEqual([site]);
    });

    it('should rename the site on the clinic and on every patient, answering {id, name, patients}', async () => {
      const { clinicId, admin, server } = await setup();
      const site = (await createSite(clinicId, admin.token, { name: 'Old' })).body;
      const other = (await createSite(clinicId, admin.token, { name: 'Other' })).body;
      const first = await addUserPatient(t, clinicId, { body: { sites: [{ id: site.id }, { id: other.id }] } });
      const second = await addUserPatient(t, clinicId, { body: { sites: [{ id: site.id }] } });

      const res = await updateSite(clinicId, site.id, admin.token, { id: site.id, name: 'New Name' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: site.id, name: 'New Name', patients: 2 });
      expect(await storedSites(clinicId)).toEqual([{ id: site.id, name: 'New Name' }, other]);
      expect(await patientSites(clinicId, first.userId)).toEqual([{ id: site.id, name: 'New Name' }, other]);
      expect(await patientSites(clinicId, second.userId)).toEqual([{ id: site.id, name: 'New Name' }]);

      // Its own name, or a case variant of it, is no conflict.
      const same = await updateSite(clinicId, site.id, server, { name: 'NEW NAME' });
      expect(same.status).toBe(200);
      expect(await patientSites(clinicId, second.userId)).toEqual([{ id: site.id, name: 'NEW NAME' }]);
      expect((await findClinicDocument(t, clinicId)).pendingPatientChanges ?? []).toEqual([]);
    });

    it('should refuse another site’s name (409), an unknown site (422) and a bad body (400)', async () => {
      const { clinicId, admin } = await setup();
      const site = (await createSite(clinicId, admin.token, { name: 'One' })).body;
      const two = (await createSite(clinicId, admin.token, { name: 'Two' })).body;
      expectError(
        await updateSite(clinicId, site.id, admin.token, { name: 'two' }),
        409,
        'checking site constraints: duplicate site name',
      );
      expectError(
        await updateSite(clinicId, newObjectId(), admin.token, { name: 'Three' }),
        422,
        'constraint violation: the clinic has no site with that name',
      );
      expectValidationError(await updateSite(clinicId, site.id, admin.token), 'name');
      expectValidationError(await updateSite(clinicId, 'nope', admin.token, { name: 'Three' }), 'siteId');
      expect(await storedSites(clinicId)).toEqual([site, two]);
    });
  });

  describe('DeleteSite', () => {
    it('should deny members and other clinics’ admins', async () => {
      const { clinicId, admin } = await setup();
      const site = (await createSite(clinicId, admin.token, { name: 'Stay' })).body;
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const other = await createClinic(t);
      await expectDenials((token) => deleteSite(clinicId, site.id, token), {
        member: member.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await storedSites(clinicId)).toEqual([site]);
    });

    it('should remove the site from the clinic and every patient; unknown → 404', async () => {
      const { clinicId, admin, server } = await setup();
      const site = (await createSite(clinicId, admin.token, { name: 'Closing' })).body;
      const kept = (await createSite(clinicId, admin.token, { name: 'Kept' })).body;
      const patient = await addUserPatient(t, clinicId, { body: { sites: [{ id: site.id }, { id: kept.id }] } });
      const res = await deleteSite(clinicId, site.id, admin.token);
      expect(res.status).toBe(204);
      expect(await storedSites(clinicId)).toEqual([kept]);
      expect(await patientSites(clinicId, patient.userId)).toEqual([kept]);
      expectError(await deleteSite(clinicId, site.id, server), 404, 'clinic not found');
      expectError(await deleteSite(newObjectId(), site.id, server), 404, 'clinic not found');
    });
  });

  describe('MergeSite', () => {
    it('should deny every user, admins included', async () => {
      const { clinicId, admin } = await setup();
      const a = (await createSite(clinicId, admin.token, { name: 'A' })).body;
      const b = (await createSite(clinicId, admin.token, { name: 'B' })).body;
      await expectDenials((token) => mergeSite(clinicId, a.id, token, { id: b.id }), { admin: admin.token });
      expect(await storedSites(clinicId)).toEqual([a, b]);
    });

    it('should move the source’s patients to the target once, delete the source and answer the target', async () => {
      const { clinicId, admin, server } = await setup();
      const target = (await createSite(clinicId, admin.token, { name: 'Target' })).body;
      const source = (await createSite(clinicId, admin.token, { name: 'Source' })).body;
      const onlySource = await addUserPatient(t, clinicId, { body: { sites: [{ id: source.id }] } });
      const both = await addUserPatient(t, clinicId, { body: { sites: [{ id: target.id }, { id: source.id }] } });
      const onlyTarget = await addUserPatient(t, clinicId, { body: { sites: [{ id: target.id }] } });

      const res = await mergeSite(clinicId, target.id, server, { id: source.id });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: target.id, name: 'Target', patients: 3 });
      expect(await storedSites(clinicId)).toEqual([target]);
      expect(await patientSites(clinicId, onlySource.userId)).toEqual([target]);
      expect(await patientSites(clinicId, both.userId)).toEqual([target]);
      expect(await patientSites(clinicId, onlyTarget.userId)).toEqual([target]);
      // The clinic's sites carry live counts.
      const clinic = await t.call<any>('GET', `/v1/clinics/${clinicId}`, { token: admin.token });
      expect(clinic.body.sites).toEqual([{ ...target, numPatients: 3 }]);
    });

    it('should refuse merging into itself or without a source (400), and unknown sites (404)', async () => {
      const { clinicId, admin, server } = await setup();
      const a = (await createSite(clinicId, admin.token, { name: 'A' })).body;
      const b = (await createSite(clinicId, admin.token, { name: 'B' })).body;
      expectError(
        await mergeSite(clinicId, a.id, server, { id: a.id }),
        400,
        "can't merge a site into itself: bad request",
      );
      expectValidationError(await mergeSite(clinicId, a.id, server), 'id');
      expectValidationError(await mergeSite(clinicId, a.id, server, {}), 'id');
      expectError(await mergeSite(clinicId, newObjectId(), server, { id: b.id }), 404, 'not found');
      expectError(await mergeSite(clinicId, a.id, server, { id: newObjectId() }), 404, 'clinic not found');
      expectError(await mergeSite(newObjectId(), a.id, server, { id: b.id }), 404, 'clinic not found');
      expect(await storedSites(clinicId)).toEqual([a, b]);
    });
  });

  describe('ConvertPatientTagToSite', () => {
    it('should deny every user, admins included', async () => {
      const { clinicId, admin } = await setup();
      const tag = (
        await t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags`, {
          token: admin.token,
          body: { name: 'Tag' },
        })
      ).body;
      await expectDenials((token) => convert(clinicId, tag.id, token), { admin: admin.token });
    });

    it('should replace the tag by a site named after it, numbered when the name is taken', async () => {
      const { clinicId, admin, server } = await setup();
      const addTag = async (name: string) =>
        (await t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags`, { token: admin.token, body: { name } }))
          .body;
      const east = await addTag('East');
      const other = await addTag('Other');
      const taken = (await createSite(clinicId, admin.token, { name: 'east' })).body;
      const taken2 = (await createSite(clinicId, admin.token, { name: 'East (2)' })).body;
      const first = await addUserPatient(t, clinicId, { body: { tags: [east.id, other.id] } });
      const second = await addUserPatient(t, clinicId, { body: { tags: [east.id], sites: [{ id: taken.id }] } });
      const untagged = await addUserPatient(t, clinicId, { body: { tags: [other.id] } });

      const res = await convert(clinicId, east.id, server);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: expect.stringMatching(/^[a-f0-9]{24}$/), name: 'East (3)', patients: 2 });
      const site = { id: res.body.id, name: 'East (3)' };
      const clinic = await findClinicDocument(t, clinicId);
      expect(clinic.patientTags.map((tag: any) => String(tag._id))).toEqual([other.id]);
      expect(String(clinic.lastDeletedPatientTag)).toBe(east.id);
      expect(await storedSites(clinicId)).toEqual([taken, taken2, site]);
      const firstDoc = await findPatientDocument(t, clinicId, first.userId);
      expect(firstDoc.tags.map(String)).toEqual([other.id]);
      expect(await patientSites(clinicId, first.userId)).toEqual([site]);
      expect(await patientSites(clinicId, second.userId)).toEqual([taken, site]);
      expect((await findPatientDocument(t, clinicId, untagged.userId)).sites ?? []).toEqual([]);

      expectError(await convert(clinicId, east.id, server), 404, 'unable to find patient tag: not found');
      expectError(await convert(newObjectId(), east.id, server), 404, 'clinic not found');
    });

    it('should answer 409 `conflict` at the site limit, changing nothing', async () => {
      const { clinicId, admin, server } = await setup();
      const tag = (
        await t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags`, {
          token: admin.token,
          body: { name: 'Limit' },
        })
      ).body;
      await seedSites(clinicId, 50);
      expectError(await convert(clinicId, tag.id, server), 409, 'conflict');
      const clinic = await findClinicDocument(t, clinicId);
      expect(clinic.sites).toHaveLength(50);
      expect(clinic.patientTags.map((entry: any) => String(entry._id))).toEqual([tag.id]);
    });
  });
});
