import { addClinician, createClinic, findClinicDocument, findClinicianDocuments } from '../../support/builders';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME, SHARE_CODE } from '../clinics/expectations';

describe('EnableNewClinicExperience — POST /v1/clinicians/{userId}/migrate', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const migrate = (token: string | undefined, userId: string) =>
    t.call<any>('POST', `/v1/clinicians/${userId}/migrate`, { token });

  it('should deny everyone but servers, the user themself included', async () => {
    const legacy = await t.users.create({ roles: ['clinic'] });
    const { clinicId, admin } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    await expectDenials((token) => migrate(token, legacy.userId), {
      self: legacy.token,
      admin: admin.token,
      member: member.token,
    });
    expect(await t.connection.collection('clinicians').countDocuments({ userId: legacy.userId })).toBe(0);
  });

  it('should create an empty, unmigrated clinic administered by the legacy clinician', async () => {
    const legacy = await t.users.create({ roles: ['clinic'], email: 'Legacy@Example.com', fullName: 'Dr. Legacy' });
    const res = await migrate(server, legacy.userId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      name: '',
      shareCode: expect.stringMatching(SHARE_CODE),
      canMigrate: false,
      tier: 'tier0100',
      tierDescription: 'Free',
      preferredBgUnits: 'mg/dL',
      createdTime: expect.stringMatching(ISO_DATE_TIME),
      updatedTime: expect.stringMatching(ISO_DATE_TIME),
    });
    const stored = await findClinicDocument(t, res.body.id);
    expect(stored).toMatchObject({
      isMigrated: false,
      admins: [legacy.userId],
      patientCountSettings: { hardLimit: { plan: 250 } },
    });
    expect(await findClinicianDocuments(t, res.body.id)).toEqual([
      expect.objectContaining({
        userId: legacy.userId,
        email: 'legacy@example.com',
        name: 'Dr. Legacy',
        roles: ['CLINIC_ADMIN'],
      }),
    ]);

    // Once the profile is complete, the clinic can be migrated.
    const profile = {
      name: 'Legacy Practice',
      preferredBgUnits: 'mg/dL',
      clinicType: 'provider_practice',
      address: '2 Elm St',
      city: 'Portland',
      state: 'OR',
      postalCode: '97201',
      country: 'US',
    };
    const updated = await t.call<any>('PUT', `/v1/clinics/${res.body.id}`, { token: legacy.token, body: profile });
    expect(updated.status).toBe(200);
    expect(updated.body.canMigrate).toBe(true);
  });

  it('should answer 422 for a user without the clinic role', async () => {
    const patient = await t.users.create({ roles: [] });
    expectError(
      await migrate(server, patient.userId),
      422,
      `constraint violation: user ${patient.userId} is not clinician`,
    );
    expect(await t.connection.collection('clinicians').countDocuments({ userId: patient.userId })).toBe(0);
  });

  it('should answer 404 "not found" for an unknown user, whatever the id looks like', async () => {
    for (const userId of ['0123456789', 'not-a-tidepool-id']) {
      expectError(await migrate(server, userId), 404, 'not found');
    }
  });
});
