import { Types } from 'mongoose';
import { createClinic, findClinicDocument, findClinicianDocuments } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { databaseCommands } from '../../support/metrics';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME, SHARE_CODE } from './expectations';

describe('CreateClinic — POST /v1/clinics', () => {
  const t = useTestApp();

  const body = { name: 'Springfield Diabetes Care', preferredBgUnits: 'mmol/L' };

  it('should deny callers without a valid user token, and server tokens', async () => {
    const server = await t.tokens.server();
    const before = await t.connection.collection('clinics').countDocuments();
    await expectDenials((token) => t.call('POST', '/v1/clinics', { token, body }), { server });
    expect(await t.connection.collection('clinics').countDocuments()).toBe(before);
  });

  it('should create the clinic with the server defaults and make the creator its admin', async () => {
    const creator = await t.users.create({ email: 'Creator@Example.com', fullName: 'Dr. Creator' });
    const res = await t.call<any>('POST', '/v1/clinics', {
      token: creator.token,
      body: {
        ...body,
        clinicType: 'provider_practice',
        clinicSize: '0-249',
        address: '1 Main St',
        city: 'Springfield',
        postalCode: '12345',
        state: 'OR',
        country: 'US',
        website: 'https://clinic.example.com',
        phoneNumbers: [{ type: 'main', number: '+1 555 0100' }],
        timezone: 'America/Los_Angeles',
        // Read-only and unknown fields are ignored.
        id: '000000000000000000000000',
        shareCode: 'AAAA-AAAA-AAAA',
        tier: 'tier0400',
        canMigrate: true,
        unknown: 'dropped',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      name: 'Springfield Diabetes Care',
      shareCode: expect.stringMatching(SHARE_CODE),
      canMigrate: false,
      tier: 'tier0100',
      tierDescription: 'Free',
      preferredBgUnits: 'mmol/L',
      clinicType: 'provider_practice',
      clinicSize: '0-249',
      address: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      state: 'OR',
      country: 'US',
      website: 'https://clinic.example.com',
      phoneNumbers: [{ type: 'main', number: '+1 555 0100' }],
      timezone: 'America/Los_Angeles',
      createdTime: expect.stringMatching(ISO_DATE_TIME),
      updatedTime: expect.stringMatching(ISO_DATE_TIME),
    });
    expect(res.body.id).not.toBe('000000000000000000000000');
    expect(res.body.shareCode).not.toBe('AAAA-AAAA-AAAA');

    const stored = await findClinicDocument(t, res.body.id);
    expect(stored).toMatchObject({
      canonicalShareCode: res.body.shareCode,
      shareCodes: [res.body.shareCode],
      admins: [creator.userId],
      isMigrated: true,
      patientCount: { total: 0, demo: 0, plan: 0 },
      patientCountSettings: { hardLimit: { plan: 250 } },
    });
    expect(stored.tier).toBeUndefined();
    expect(stored.unknown).toBeUndefined();

    const clinicians = await findClinicianDocuments(t, res.body.id);
    expect(clinicians).toHaveLength(1);
    expect(clinicians[0]).toMatchObject({
      userId: creator.userId,
      email: 'creator@example.com',
      name: 'Dr. Creator',
      roles: ['CLINIC_ADMIN'],
      memberKey: `${res.body.id}:${creator.userId}`,
      emailKey: `${res.body.id}:creator@example.com`,
    });
  });

  it('should store only the required fields when nothing else is sent', async () => {
    const { clinic, clinicId } = await createClinic(t, { name: 'Minimal', preferredBgUnits: 'mg/dL' });
    expect(Object.keys(clinic).sort()).toEqual(
      [
        'canMigrate',
        'createdTime',
        'id',
        'name',
        'preferredBgUnits',
        'shareCode',
        'tier',
        'tierDescription',
        'updatedTime',
      ].sort(),
    );
    const stored = await findClinicDocument(t, clinicId);
    expect(stored.timezone).toBeNull();
    expect(stored.phoneNumbers).toBeUndefined();
  });

  it('should reject invalid bodies with field details and write nothing', async () => {
    const creator = await t.users.create();
    const before = await t.connection.collection('clinics').countDocuments();
    const cases: Array<[unknown, string[]]> = [
      [{}, ['name', 'preferredBgUnits']],
      [{ name: '', preferredBgUnits: 'mg/dL' }, ['name']],
      [{ name: 'x', preferredBgUnits: 'mg/dl' }, ['preferredBgUnits']],
      [{ ...body, clinicType: 'hospital', clinicSize: '1-2' }, ['clinicType', 'clinicSize']],
      [{ ...body, timezone: 'Mars/Olympus_Mons' }, ['timezone']],
      [{ ...body, website: 'not a uri' }, ['website']],
      [{ ...body, phoneNumbers: [] }, ['phoneNumbers']],
      [{ ...body, phoneNumbers: [{ type: 'main' }] }, ['phoneNumbers[0].number']],
      [{ ...body, phoneNumbers: [{ number: '1' }, { number: '1' }] }, ['phoneNumbers']],
      [{ ...body, suppressedNotifications: { patientClinicInvitation: true, other: 1 } }, ['suppressedNotifications']],
    ];
    for (const [invalid, fields] of cases) {
      expectValidationError(await t.call('POST', '/v1/clinics', { token: creator.token, body: invalid }), ...fields);
    }
    expect(await t.connection.collection('clinics').countDocuments()).toBe(before);
  });

  it('should answer 404 "not found" when the caller is not a user of the directory', async () => {
    const ghost = await t.tokens.user('0123456789');
    expectError(await t.call('POST', '/v1/clinics', { token: ghost, body }), 404, 'not found');
    expect(await t.connection.collection('clinicians').countDocuments({ userId: '0123456789' })).toBe(0);
  });

  it('should write 50 concurrent creations together: each its own clinic, admin record and share code', async () => {
    const creators = await Promise.all(Array.from({ length: 50 }, () => t.users.create()));
    const insertsBefore = await databaseCommands(t, 'insert');
    const responses = await Promise.all(
      creators.map((creator, i) =>
        t.call<any>('POST', '/v1/clinics', { token: creator.token, body: { ...body, name: `C${i}` } }),
      ),
    );
    const inserts = (await databaseCommands(t, 'insert')) - insertsBefore;
    expect(responses.map((res) => res.status)).toEqual(Array(50).fill(200));
    const codes = new Set(responses.map((res) => res.body.shareCode as string));
    expect(codes.size).toBe(50);
    for (const code of codes) expect(code).toMatch(SHARE_CODE);
    const ids = responses.map((res) => new Types.ObjectId(res.body.id as string));
    const stored = await t.connection
      .collection('clinics')
      .find({ _id: { $in: ids } })
      .toArray();
    expect(new Set(stored.map((clinic) => clinic.canonicalShareCode)).size).toBe(50);
    // Each answer is its creator's clinic, with that creator as its one admin record.
    for (const [i, res] of responses.entries()) {
      const clinic = stored.find((document) => document._id.toHexString() === res.body.id);
      expect(clinic).toMatchObject({ name: `C${i}`, admins: [creators[i].userId] });
      const records = await findClinicianDocuments(t, res.body.id);
      expect(records).toEqual([expect.objectContaining({ userId: creators[i].userId, roles: ['CLINIC_ADMIN'] })]);
    }
    const registered = await t.connection
      .collection<any>('share_codes')
      .find({ clinicId: { $in: ids } })
      .toArray();
    expect(registered.map((entry) => entry._id).sort()).toEqual([...codes].sort());
    // Three insert commands a creation when written one by one; batches share them.
    expect(inserts).toBeLessThan(150);
    console.log(`50 concurrent CreateClinic: ${inserts} insert commands`);
  });
});
