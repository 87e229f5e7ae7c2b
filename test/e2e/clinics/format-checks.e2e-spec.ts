import { createClinic, findClinicDocument } from '../../support/builders';
import { expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';

/**
 * decisions.md §2, "Format checks": `email`, `uri` and `hostname` formats are checked on non-empty
 * values; `""` in an optional field is accepted and stored as sent (Tidepool's web app sends
 * `"website": ""` for a field left blank); a required field still rejects `""`.
 */
describe('format checks on empty and non-empty values', () => {
  const t = useTestApp();

  const clinicBody = { name: 'Blank Website Clinic', preferredBgUnits: 'mg/dL' };

  describe('an optional uri: the clinic website', () => {
    // Stored as sent; the response leaves it out, since its schema types it as a URI.
    it('should create a clinic with "website": "", store the empty string and answer without a website', async () => {
      const creator = await t.users.create();
      const res = await t.call<any>('POST', '/v1/clinics', {
        token: creator.token,
        body: { ...clinicBody, website: '' },
      });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('website');
      expect((await findClinicDocument(t, res.body.id)).website).toBe('');
    });

    it('should update a clinic with "website": "", store the empty string and answer without a website', async () => {
      const { clinicId, admin } = await createClinic(t, { website: 'https://before.example.com' });
      const res = await t.call<any>('PUT', `/v1/clinics/${clinicId}`, {
        token: admin.token,
        body: { ...clinicBody, website: '' },
      });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('website');
      expect((await findClinicDocument(t, clinicId)).website).toBe('');
    });

    it('should still reject a non-empty website that is not an absolute URI, changing nothing', async () => {
      const creator = await t.users.create();
      for (const website of ['clinic.example.com', 'not a uri', ' ']) {
        const created = await t.call('POST', '/v1/clinics', { token: creator.token, body: { ...clinicBody, website } });
        const body = expectValidationError(created, 'website');
        expect(body.details).toEqual([{ field: 'website', message: 'website must be an absolute URI' }]);
      }
      expect(await t.connection.collection('clinics').countDocuments({ admins: creator.userId })).toBe(0);

      const { clinicId, admin } = await createClinic(t, { website: 'https://kept.example.com' });
      const updated = await t.call('PUT', `/v1/clinics/${clinicId}`, {
        token: admin.token,
        body: { ...clinicBody, website: 'www.example.com' },
      });
      expectValidationError(updated, 'website');
      expect((await findClinicDocument(t, clinicId)).website).toBe('https://kept.example.com');
    });
  });

  describe('required formatted fields', () => {
    it('should reject an empty e-mail when inviting a clinician', async () => {
      const { clinicId, admin } = await createClinic(t);
      const res = await t.call('POST', `/v1/clinics/${clinicId}/invites/clinicians`, {
        token: admin.token,
        body: { email: '', roles: ['CLINIC_MEMBER'] },
      });
      expectValidationError(res, 'email');
    });

    it('should reject an empty e-mail when creating a clinician', async () => {
      const { clinicId } = await createClinic(t);
      const user = await t.users.create();
      const res = await t.call('POST', `/v1/clinics/${clinicId}/clinicians`, {
        token: await t.tokens.server(),
        body: { id: user.userId, email: '', roles: ['CLINIC_MEMBER'] },
      });
      const body = expectValidationError(res, 'email');
      expect(body.details).toEqual([{ field: 'email', message: 'email must be an e-mail address' }]);
    });

    it('should reject an empty e-mail domain in a membership restriction', async () => {
      const { clinicId } = await createClinic(t);
      const res = await t.call('PUT', `/v1/clinics/${clinicId}/membership_restrictions`, {
        token: await t.tokens.server(),
        body: { restrictions: [{ emailDomain: '' }] },
      });
      expectValidationError(res, 'restrictions[0].emailDomain');
    });
  });

  describe('an optional e-mail query filter', () => {
    it('should accept an empty e-mail filter and still check a non-empty one', async () => {
      const { clinicId, admin } = await createClinic(t);
      const list = (email: string) =>
        t.call<any[]>('GET', `/v1/clinics/${clinicId}/clinicians`, { token: admin.token, query: { email } });
      expect((await list('')).status).toBe(200);
      expectValidationError(await list('nope'), 'email');
    });
  });
});
