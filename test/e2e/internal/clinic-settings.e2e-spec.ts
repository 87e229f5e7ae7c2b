import { Types } from 'mongoose';
import { addClinician, createClinic, CreatedClinic, findClinicDocument, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('internal clinic settings: UpdateTier, UpdateMembershipRestrictions, MRN and patient count settings', () => {
  const t = useTestApp();
  let server: string;
  let created: CreatedClinic;
  let member: Awaited<ReturnType<typeof addClinician>>;
  let users: Record<string, string>;

  beforeAll(async () => {
    server = await t.tokens.server();
  });
  // A new clinic for every test, as most of them change it.
  beforeEach(async () => {
    created = await createClinic(t, { country: 'US' });
    member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
    const outsider = await t.users.create();
    users = { admin: created.admin.token, member: member.token, user: outsider.token };
  });

  const clinicUrl = (path: string, clinicId = created.clinicId) => `/v1/clinics/${clinicId}/${path}`;

  describe('UpdateTier — POST /v1/clinics/{clinicId}/tier', () => {
    const update = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
      t.call('POST', clinicUrl('tier', clinicId), { token, body });

    it('should deny everyone but servers, the clinic’s admin included', async () => {
      await expectDenials((token) => update(token, { tier: 'tier0300' }), users);
      expect((await findClinicDocument(t, created.clinicId)).tier).toBeUndefined();
    });

    it('should set the tier, answering 200 with an empty body', async () => {
      const res = await update(server, { tier: 'tier0300' });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect((await findClinicDocument(t, created.clinicId)).tier).toBe('tier0300');
      const clinic = await t.call<any>('GET', `/v1/clinics/${created.clinicId}`, { token: server });
      expect([clinic.body.tier, clinic.body.tierDescription]).toEqual(['tier0300', 'Premium']);
    });

    it('should reject an unknown tier and a missing one, changing nothing', async () => {
      expect((await update(server, { tier: 'tier0200' })).status).toBe(200);
      expectValidationError(await update(server, { tier: 'tier0500' }), 'tier');
      expectValidationError(await update(server, {}), 'tier');
      expect((await findClinicDocument(t, created.clinicId)).tier).toBe('tier0200');
    });

    it('should answer 404 for an unknown clinic', async () => {
      expectError(await update(server, { tier: 'tier0200' }, newObjectId()), 404, 'clinic not found');
    });
  });

  describe('UpdateMembershipRestrictions — PUT /v1/clinics/{clinicId}/membership_restrictions', () => {
    const update = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
      t.call('PUT', clinicUrl('membership_restrictions', clinicId), { token, body });

    it('should deny everyone but servers, the clinic’s admin included', async () => {
      await expectDenials((token) => update(token, { restrictions: [{ emailDomain: 'example.com' }] }), users);
      expect((await findClinicDocument(t, created.clinicId)).membershipRestrictions).toBeUndefined();
    });

    it('should replace the whole list and answer it', async () => {
      const res = await update(server, {
        restrictions: [{ emailDomain: 'example.com', requiredIdp: 'okta' }, { emailDomain: 'example.org' }],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        restrictions: [{ emailDomain: 'example.com', requiredIdp: 'okta' }, { emailDomain: 'example.org' }],
      });
      expect((await findClinicDocument(t, created.clinicId)).membershipRestrictions).toEqual([
        { emailDomain: 'example.com', requiredIdp: 'okta' },
        { emailDomain: 'example.org' },
      ]);
      const replaced = await update(server, { restrictions: [{ emailDomain: 'clinic.example' }] });
      expect(replaced.body).toEqual({ restrictions: [{ emailDomain: 'clinic.example' }] });
    });

    it('should clear the list when it is empty or absent', async () => {
      for (const body of [{ restrictions: [] }, {}]) {
        await update(server, { restrictions: [{ emailDomain: 'example.com' }] });
        const res = await update(server, body);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({});
        expect((await findClinicDocument(t, created.clinicId)).membershipRestrictions).toBeNull();
      }
    });

    it('should reject a missing or malformed domain, changing nothing', async () => {
      await update(server, { restrictions: [{ emailDomain: 'kept.example' }] });
      expectValidationError(
        await update(server, { restrictions: [{ requiredIdp: 'okta' }] }),
        'restrictions[0].emailDomain',
      );
      expectValidationError(
        await update(server, { restrictions: [{ emailDomain: 'not a host' }] }),
        'restrictions[0].emailDomain',
      );
      expectValidationError(await update(server, { restrictions: 'example.com' }), 'restrictions');
      expect((await findClinicDocument(t, created.clinicId)).membershipRestrictions).toEqual([
        { emailDomain: 'kept.example' },
      ]);
    });

    it('should answer 404 for an unknown clinic', async () => {
      expectError(await update(server, {}, newObjectId()), 404, 'clinic not found');
    });
  });

  describe('GetMRNSettings — GET /v1/clinics/{clinicId}/settings/mrn', () => {
    const get = (token: string | undefined, clinicId = created.clinicId) =>
      t.call('GET', clinicUrl('settings/mrn', clinicId), { token });

    it('should deny non-members and other clinics’ admins', async () => {
      const other = await createClinic(t);
      await expectDenials((token) => get(token), { otherAdmin: other.admin.token, user: users.user });
    });

    it('should answer 404 "not found" while the clinic has no MRN settings', async () => {
      expectError(await get(member.token), 404, 'not found');
    });

    it('should answer the settings to members and servers', async () => {
      await t.connection
        .collection('clinics')
        .updateOne(
          { _id: new Types.ObjectId(created.clinicId) },
          { $set: { mrnSettings: { required: true, unique: false } } },
        );
      for (const token of [member.token, created.admin.token, server]) {
        const res = await get(token);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ required: true, unique: false });
      }
    });

    it('should reject a malformed clinic id and answer 404 "clinic not found" for an unknown clinic', async () => {
      expectValidationError(await get(server, 'bad'), 'clinicId');
      expectError(await get(server, newObjectId()), 404, 'clinic not found');
    });
  });

  describe('UpdateMRNSettings — PUT /v1/clinics/{clinicId}/settings/mrn', () => {
    const update = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
      t.call('PUT', clinicUrl('settings/mrn', clinicId), { token, body });

    it('should deny everyone but servers, the clinic’s admin included', async () => {
      const before = (await findClinicDocument(t, created.clinicId)).mrnSettings;
      await expectDenials((token) => update(token, { required: false, unique: true }), users);
      expect((await findClinicDocument(t, created.clinicId)).mrnSettings).toEqual(before);
    });

    it('should replace the settings and answer them', async () => {
      const res = await update(server, { required: false, unique: true });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ required: false, unique: true });
      expect((await findClinicDocument(t, created.clinicId)).mrnSettings).toEqual({ required: false, unique: true });
      expect((await t.call('GET', clinicUrl('settings/mrn'), { token: server })).body).toEqual({
        required: false,
        unique: true,
      });
    });

    it('should require both booleans, changing nothing', async () => {
      expect((await update(server, { required: false, unique: true })).status).toBe(200);
      expectValidationError(await update(server, { required: true }), 'unique');
      expectValidationError(await update(server, { required: 'yes', unique: false }), 'required');
      expect((await findClinicDocument(t, created.clinicId)).mrnSettings).toEqual({ required: false, unique: true });
    });

    it('should answer 404 for an unknown clinic', async () => {
      expectError(await update(server, { required: true, unique: true }, newObjectId()), 404, 'clinic not found');
    });
  });

  describe('UpdatePatientCountSettings — PUT /v1/clinics/{clinicId}/settings/patient_count', () => {
    const update = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
      t.call('PUT', clinicUrl('settings/patient_count', clinicId), { token, body });
    const stored = async () => (await findClinicDocument(t, created.clinicId)).patientCountSettings;

    it('should deny everyone but servers, the clinic’s admin included', async () => {
      await expectDenials((token) => update(token, { hardLimit: { plan: 1 } }), users);
      expect(await stored()).toEqual({ hardLimit: { plan: 250 } });
    });

    it('should store the settings as sent and answer the settings in force', async () => {
      const body = {
        hardLimit: { plan: 100, startDate: '2024-01-01T00:00:00Z', endDate: '2030-01-01T00:00:00+01:00' },
        softLimit: { plan: 80 },
      };
      const res = await update(server, body);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        hardLimit: { plan: 100, startDate: '2024-01-01T00:00:00.000Z', endDate: '2029-12-31T23:00:00.000Z' },
        softLimit: { plan: 80 },
      });
      expect(await stored()).toEqual({
        hardLimit: {
          plan: 100,
          startDate: new Date('2024-01-01T00:00:00Z'),
          endDate: new Date('2029-12-31T23:00:00Z'),
        },
        softLimit: { plan: 80 },
      });
    });

    it('should replace settings whose values equal the stored ones under other keys', async () => {
      expect((await update(server, { hardLimit: { plan: 5 } })).status).toBe(200);
      const res = await update(server, { softLimit: { plan: 5 } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ softLimit: { plan: 5 } });
      expect(await stored()).toEqual({ softLimit: { plan: 5 } });
    });

    it('should remove the limits with an empty body', async () => {
      const res = await update(server, {});
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expect(await stored()).toEqual({});
    });

    it('should store but answer {} for a clinic the limits do not apply to', async () => {
      const abroad = await createClinic(t, { country: 'DE' });
      const res = await update(server, { hardLimit: { plan: 10 } }, abroad.clinicId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expect((await findClinicDocument(t, abroad.clinicId)).patientCountSettings).toEqual({ hardLimit: { plan: 10 } });
    });

    it('should reject negative or fractional plans, bad dates and a window ending before it starts', async () => {
      await update(server, { hardLimit: { plan: 7 } });
      expectValidationError(await update(server, { hardLimit: { plan: -1 } }), 'hardLimit.plan');
      expectValidationError(await update(server, { softLimit: { plan: 1.5 } }), 'softLimit.plan');
      expectValidationError(await update(server, { hardLimit: {} }), 'hardLimit.plan');
      expectValidationError(await update(server, { hardLimit: { plan: 1, startDate: 'soon' } }), 'hardLimit.startDate');
      expectError(
        await update(server, {
          hardLimit: { plan: 1, startDate: '2025-01-02T00:00:00Z', endDate: '2025-01-01T00:00:00Z' },
        }),
        400,
        'bad request',
      );
      expect(await stored()).toEqual({ hardLimit: { plan: 7 } });
    });

    it('should answer 404 for an unknown clinic', async () => {
      expectError(await update(server, {}, newObjectId()), 404, 'clinic not found');
    });
  });
});
