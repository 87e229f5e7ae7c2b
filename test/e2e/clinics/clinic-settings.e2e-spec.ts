import { Types } from 'mongoose';
import { addClinician, createClinic, CreatedClinic, findClinicDocument, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from './expectations';

describe('clinic settings: ListMembershipRestrictions, UpdateSuppressedNotifications, GetPatientCountSettings', () => {
  const t = useTestApp();
  let server: string;
  let created: CreatedClinic;
  let member: Awaited<ReturnType<typeof addClinician>>;
  let otherAdmin: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });
  // A new clinic for every test, as some of them change it.
  beforeEach(async () => {
    created = await createClinic(t);
    member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
    otherAdmin = (await createClinic(t)).admin.token;
  });

  const setFields = (clinicId: string, fields: Record<string, unknown>) =>
    t.connection.collection('clinics').updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: fields });

  describe('ListMembershipRestrictions — GET /v1/clinics/{clinicId}/membership_restrictions', () => {
    const list = (token: string | undefined, clinicId = created.clinicId) =>
      t.call('GET', `/v1/clinics/${clinicId}/membership_restrictions`, { token });

    it('should deny members, plain users and other clinics’ admins', async () => {
      const outsider = await t.users.create();
      await expectDenials((token) => list(token), { member: member.token, otherAdmin, user: outsider.token });
    });

    it('should answer {} when there are none', async () => {
      const res = await list(created.admin.token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
    });

    it('should answer the restrictions, leaving out an empty identity provider', async () => {
      await setFields(created.clinicId, {
        membershipRestrictions: [
          { emailDomain: 'example.org', requiredIdp: 'okta' },
          { emailDomain: 'example.com', requiredIdp: '' },
        ],
      });
      for (const token of [created.admin.token, server]) {
        const res = await list(token);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          restrictions: [{ emailDomain: 'example.org', requiredIdp: 'okta' }, { emailDomain: 'example.com' }],
        });
      }
    });

    it('should reject a malformed clinic id and answer 404 for an unknown clinic', async () => {
      expectValidationError(await list(server, 'bad'), 'clinicId');
      expectError(await list(server, newObjectId()), 404, 'clinic not found');
    });
  });

  describe('UpdateSuppressedNotifications — POST /v1/clinics/{clinicId}/suppressed_notifications', () => {
    const update = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
      t.call('POST', `/v1/clinics/${clinicId}/suppressed_notifications`, { token, body });

    it('should deny servers, members, plain users and other clinics’ admins', async () => {
      const outsider = await t.users.create();
      await expectDenials((token) => update(token, { suppressedNotifications: { patientClinicInvitation: true } }), {
        server,
        member: member.token,
        otherAdmin,
        user: outsider.token,
      });
      expect((await findClinicDocument(t, created.clinicId)).suppressedNotifications).toBeUndefined();
    });

    it('should replace the whole object and answer 200 with an empty body', async () => {
      const res = await update(created.admin.token, { suppressedNotifications: { patientClinicInvitation: true } });
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      const stored = await findClinicDocument(t, created.clinicId);
      expect(stored.suppressedNotifications).toEqual({ patientClinicInvitation: true });
      expect(stored.updatedTime.getTime()).toBeGreaterThan(new Date(created.clinic.updatedTime).getTime() - 1);
      const read = await t.call<any>('GET', `/v1/clinics/${created.clinicId}`, { token: server });
      expect(read.body.suppressedNotifications).toEqual({ patientClinicInvitation: true });

      expect((await update(created.admin.token, { suppressedNotifications: {} })).status).toBe(200);
      expect((await findClinicDocument(t, created.clinicId)).suppressedNotifications).toEqual({});
    });

    it('should reject a missing object, unknown keys and non-booleans, changing nothing', async () => {
      const before = await findClinicDocument(t, created.clinicId);
      expectValidationError(await update(created.admin.token, {}), 'suppressedNotifications');
      expectValidationError(
        await update(created.admin.token, { suppressedNotifications: { patientClinicInvitation: true, sms: false } }),
        'suppressedNotifications',
      );
      expectValidationError(
        await update(created.admin.token, { suppressedNotifications: { patientClinicInvitation: 'yes' } }),
        'suppressedNotifications.patientClinicInvitation',
      );
      expectValidationError(
        await update(created.admin.token, { suppressedNotifications: 'none' }),
        'suppressedNotifications',
      );
      expect(await findClinicDocument(t, created.clinicId)).toEqual(before);
    });

    it('should answer 404 for an unknown clinic', async () => {
      // Only admins may call it, and an admin's clinic exists; a clinic deleted under them is the case.
      const doomed = await createClinic(t);
      await t.connection.collection('clinics').deleteOne({ _id: new Types.ObjectId(doomed.clinicId) });
      expectError(
        await update(doomed.admin.token, { suppressedNotifications: {} }, doomed.clinicId),
        404,
        'clinic not found',
      );
    });
  });

  describe('GetPatientCountSettings — GET /v1/clinics/{clinicId}/settings/patient_count', () => {
    const get = (token: string | undefined, clinicId: string) =>
      t.call('GET', `/v1/clinics/${clinicId}/settings/patient_count`, { token });

    it('should deny non-members and other clinics’ admins', async () => {
      const outsider = await t.users.create();
      await expectDenials((token) => get(token, created.clinicId), { otherAdmin, user: outsider.token });
    });

    it('should answer the default limit of a new clinic to its members and servers', async () => {
      for (const token of [member.token, created.admin.token, server]) {
        const res = await get(token, created.clinicId);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ hardLimit: { plan: 250 } });
      }
    });

    it('should answer {} (unlimited) outside the US or off the free tier, and stored dates in RFC 3339', async () => {
      const us = await createClinic(t, { country: 'US' });
      const window = { startDate: new Date('2024-01-01T00:00:00Z'), endDate: new Date('2025-01-01T00:00:00Z') };
      await setFields(us.clinicId, {
        patientCountSettings: { hardLimit: { plan: 5, ...window }, softLimit: { plan: 0, patientCount: 3 } },
      });
      expect((await get(server, us.clinicId)).body).toEqual({
        hardLimit: { plan: 5, startDate: '2024-01-01T00:00:00.000Z', endDate: '2025-01-01T00:00:00.000Z' },
        softLimit: { plan: 3 },
      });
      await setFields(us.clinicId, { tier: 'tier0200' });
      expect((await get(server, us.clinicId)).body).toEqual({});
      const usa = await createClinic(t, { country: 'USA' });
      expect((await get(server, usa.clinicId)).body).toEqual({});
      const unset = await createClinic(t);
      await setFields(unset.clinicId, { patientCountSettings: null });
      expect((await get(server, unset.clinicId)).body).toEqual({});
    });

    it('should reject a malformed clinic id and answer 404 for an unknown clinic', async () => {
      expectValidationError(await get(server, 'bad'), 'clinicId');
      expectError(await get(server, newObjectId()), 404, 'clinic not found');
    });
  });
});
