import { Types } from 'mongoose';
import {
  addClinician,
  createClinic,
  CreatedClinic,
  findClinicDocument,
  insertPatient,
  newObjectId,
} from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME } from './expectations';

describe('clinics: ListClinics, GetClinic, GetClinicByShareCode, UpdateClinic', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const setFields = (clinicId: string, fields: Record<string, unknown>) =>
    t.connection.collection('clinics').updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: fields });

  describe('ListClinics — GET /v1/clinics', () => {
    // Read by the tests, never changed: tests that need more clinics create their own.
    let clinics: CreatedClinic[];
    /** The creation-time window [start, end) of exactly these four clinics. */
    let start: string;
    let end: string;

    beforeAll(async () => {
      start = new Date().toISOString();
      clinics = [];
      for (let i = 0; i < 4; i++) clinics.push(await createClinic(t, { name: `Listed ${i}` }));
      await setFields(clinics[1].clinicId, { ehrSettings: { enabled: true, sourceId: 'a' } });
      await setFields(clinics[2].clinicId, { ehrSettings: { enabled: false, sourceId: 'b' } });
      await pause(2);
      end = new Date().toISOString();
      await pause(2);
    });

    it('should deny callers other than servers', async () => {
      const outsider = await t.users.create();
      await expectDenials((token) => t.call('GET', '/v1/clinics', { token }), {
        admin: clinics[0].admin.token,
        user: outsider.token,
      });
    });

    it('should list clinics in creation order, paginated, as clinic.v1', async () => {
      const window = { createdTimeStart: start, createdTimeEnd: end };
      const res = await t.call<any[]>('GET', '/v1/clinics', { token: server, query: window });
      expect(res.status).toBe(200);
      expect(res.body.map((clinic) => clinic.id)).toEqual(clinics.map((clinic) => clinic.clinicId));
      expect(res.body[0]).toEqual(clinics[0].clinic);

      const page = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { ...window, offset: 1, limit: 2 },
      });
      expect(page.body.map((clinic) => clinic.id)).toEqual([clinics[1].clinicId, clinics[2].clinicId]);
    });

    it('should default to 10 clinics a page', async () => {
      const fillersStart = new Date().toISOString();
      for (let i = 0; i < 11; i++) await createClinic(t, { name: `Filler ${i}` });
      const res = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { createdTimeStart: fillersStart },
      });
      expect(res.status).toBe(200);
      expect(res.body).toHaveLength(10);
    });

    it('should filter by share code, exactly and including merged codes', async () => {
      const code = clinics[3].clinic.shareCode as string;
      const exact = await t.call<any[]>('GET', '/v1/clinics', { token: server, query: { shareCode: code } });
      expect(exact.body.map((clinic) => clinic.id)).toEqual([clinics[3].clinicId]);
      const lower = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { shareCode: code.toLowerCase() },
      });
      expect(lower.body).toEqual([]);

      const survivor = await createClinic(t, { name: 'Merged Into' });
      await t.connection.collection('clinics').updateOne({ _id: new Types.ObjectId(survivor.clinicId) }, {
        $push: { shareCodes: 'OLDC-ODE2-3456' },
      } as any);
      const merged = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { shareCode: 'OLDC-ODE2-3456' },
      });
      expect(merged.body.map((clinic) => [clinic.id, clinic.shareCode])).toEqual([
        [survivor.clinicId, survivor.clinic.shareCode],
      ]);
    });

    it('should filter by creation time, start inclusive and end exclusive', async () => {
      const second = clinics[1].clinic.createdTime as string;
      const fourth = clinics[3].clinic.createdTime as string;
      const res = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { createdTimeStart: second, createdTimeEnd: fourth },
      });
      const ids = res.body.map((clinic) => clinic.id);
      expect(ids).toContain(clinics[1].clinicId);
      expect(ids).not.toContain(clinics[0].clinicId);
      expect(ids).not.toContain(clinics[3].clinicId);
    });

    it('should filter by EHR integration; clinics without EHR settings match neither value', async () => {
      const window = { createdTimeStart: start, createdTimeEnd: end };
      const enabled = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { ...window, ehrEnabled: true },
      });
      expect(enabled.body.map((clinic) => clinic.id)).toEqual([clinics[1].clinicId]);
      const disabled = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { ...window, ehrEnabled: 'false' },
      });
      expect(disabled.body.map((clinic) => clinic.id)).toEqual([clinics[2].clinicId]);
    });

    it('should count patients per tag for every clinic of the page at once', async () => {
      const [tagA, tagB] = [newObjectId(), newObjectId()];
      const first = await createClinic(t, { name: 'Tagged A' });
      const second = await createClinic(t, { name: 'Tagged B' });
      await setFields(first.clinicId, { patientTags: [{ _id: new Types.ObjectId(tagA), name: 'A' }] });
      await setFields(second.clinicId, { patientTags: [{ _id: new Types.ObjectId(tagB), name: 'B' }] });
      await insertPatient(t, first.clinicId, { tags: [tagA] });
      await insertPatient(t, second.clinicId, { tags: [tagB] });
      await insertPatient(t, second.clinicId, { tags: [tagB] });

      const res = await t.call<any[]>('GET', '/v1/clinics', {
        token: server,
        query: { createdTimeStart: first.clinic.createdTime },
      });
      expect(res.body.map((clinic) => clinic.patientTags)).toEqual([
        [{ id: tagA, name: 'A', numPatients: 1 }],
        [{ id: tagB, name: 'B', numPatients: 2 }],
      ]);
    });

    it('should reject invalid query parameters with field details', async () => {
      const invalid: Array<[Record<string, string | number>, string]> = [
        [{ limit: 0 }, 'limit'],
        [{ limit: 1001 }, 'limit'],
        [{ limit: 'ten' }, 'limit'],
        [{ offset: -1 }, 'offset'],
        [{ createdTimeStart: 'yesterday' }, 'createdTimeStart'],
        [{ createdTimeEnd: '2024-01-01' }, 'createdTimeEnd'],
        [{ ehrEnabled: 'yes' }, 'ehrEnabled'],
      ];
      for (const [query, field] of invalid) {
        expectValidationError(await t.call('GET', '/v1/clinics', { token: server, query }), field);
      }
    });

    it('should answer an empty list when nothing matches', async () => {
      const res = await t.call('GET', '/v1/clinics', { token: server, query: { shareCode: 'NONE-XIST-ENTS' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });
  });

  describe('GetClinic — GET /v1/clinics/{clinicId}', () => {
    let created: CreatedClinic;

    beforeAll(async () => {
      created = await createClinic(t, { name: 'Readable', country: 'US' });
    });

    it('should deny callers without a valid token', async () => {
      await expectDenials((token) => t.call('GET', `/v1/clinics/${created.clinicId}`, { token }), {});
    });

    it('should let any user and any server read any clinic', async () => {
      const outsider = await t.users.create();
      for (const token of [outsider.token, server, created.admin.token]) {
        const res = await t.call('GET', `/v1/clinics/${created.clinicId}`, { token });
        expect(res.status).toBe(200);
        expect(res.body).toEqual(created.clinic);
      }
    });

    it('should count patients per tag and per site live, leaving out zero counts', async () => {
      // A clinic of its own: the other tests read `created` as it was created.
      const created = await createClinic(t, { name: 'Counted' });
      const [tagA, tagB, tagC, siteA, siteB] = [
        newObjectId(),
        newObjectId(),
        newObjectId(),
        newObjectId(),
        newObjectId(),
      ];
      await setFields(created.clinicId, {
        patientTags: [
          { _id: new Types.ObjectId(tagA), name: 'Pump' },
          { _id: new Types.ObjectId(tagB), name: 'CGM' },
          { _id: new Types.ObjectId(tagC), name: 'Unused' },
        ],
        sites: [
          { id: new Types.ObjectId(siteA), name: 'North' },
          { id: new Types.ObjectId(siteB), name: 'South' },
        ],
      });
      await insertPatient(t, created.clinicId, { tags: [tagA, tagB], siteIds: [siteA] });
      await insertPatient(t, created.clinicId, { tags: [tagA], siteIds: [siteA] });
      await insertPatient(t, created.clinicId, {});
      // Another clinic's patient with the same tag id does not count.
      const other = await createClinic(t);
      await insertPatient(t, other.clinicId, { tags: [tagB] });

      const res = await t.call<any>('GET', `/v1/clinics/${created.clinicId}`, { token: server });
      expect(res.status).toBe(200);
      expect(res.body.patientTags).toEqual([
        { id: tagA, name: 'Pump', numPatients: 2 },
        { id: tagB, name: 'CGM', numPatients: 1 },
        { id: tagC, name: 'Unused' },
      ]);
      expect(res.body.sites).toEqual([
        { id: siteA, name: 'North', numPatients: 2 },
        { id: siteB, name: 'South' },
      ]);
    });

    it('should reject a malformed clinic id', async () => {
      expectValidationError(await t.call('GET', '/v1/clinics/not-an-id', { token: server }), 'clinicId');
    });

    it('should answer 404 "clinic not found" for an unknown clinic', async () => {
      expectError(await t.call('GET', `/v1/clinics/${newObjectId()}`, { token: server }), 404, 'clinic not found');
    });
  });

  describe('GetClinicByShareCode — GET /v1/clinics/share_code/{shareCode}', () => {
    let created: CreatedClinic;

    beforeAll(async () => {
      created = await createClinic(t, { name: 'Shared' });
    });

    it('should deny callers without a valid token', async () => {
      await expectDenials(
        (token) => t.call('GET', `/v1/clinics/share_code/${created.clinic.shareCode}`, { token }),
        {},
      );
    });

    it('should find the clinic by its share code, for users and servers', async () => {
      const outsider = await t.users.create();
      for (const token of [outsider.token, server]) {
        const res = await t.call('GET', `/v1/clinics/share_code/${created.clinic.shareCode}`, { token });
        expect(res.status).toBe(200);
        expect(res.body).toEqual(created.clinic);
      }
    });

    it('should resolve a merged clinic’s old code to the clinic it was merged into, showing the canonical code', async () => {
      // What a merge leaves: the old code listed on the clinic and registered to it.
      const clinicId = new Types.ObjectId(created.clinicId);
      await t.connection
        .collection('clinics')
        .updateOne({ _id: clinicId }, { $push: { shareCodes: 'MRGD-SRCE-2345' } } as any);
      await t.connection.collection<any>('share_codes').insertOne({ _id: 'MRGD-SRCE-2345', clinicId });
      const res = await t.call<any>('GET', '/v1/clinics/share_code/MRGD-SRCE-2345', { token: server });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(created.clinicId);
      expect(res.body.shareCode).toBe(created.clinic.shareCode);
    });

    it('should match exactly: another case or no dashes is not found', async () => {
      const code = created.clinic.shareCode as string;
      for (const variant of [code.toLowerCase(), code.replace(/-/g, ''), 'ABCD-EFGH-JKLM']) {
        expectError(await t.call('GET', `/v1/clinics/share_code/${variant}`, { token: server }), 404, 'not found');
      }
    });
  });

  describe('UpdateClinic — PUT /v1/clinics/{clinicId}', () => {
    // A new clinic for every test, as each one changes it.
    let created: CreatedClinic;
    const fullProfile = {
      name: 'Before',
      preferredBgUnits: 'mg/dL',
      clinicType: 'healthcare_system',
      clinicSize: '250-499',
      address: '1 Old Rd',
      city: 'Oldtown',
      postalCode: '99999',
      state: 'CA',
      country: 'US',
      website: 'https://old.example.com',
      phoneNumbers: [{ number: '555-0000' }],
      timezone: 'America/New_York',
    };

    beforeEach(async () => {
      created = await createClinic(t, fullProfile);
    });

    const update = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
      t.call<any>('PUT', `/v1/clinics/${clinicId}`, { token, body });

    it('should deny members, plain users and other clinics’ admins', async () => {
      const member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => update(token, { name: 'Hijacked', preferredBgUnits: 'mg/dL' }), {
        member: member.token,
        otherAdmin: other.admin.token,
        user: outsider.token,
      });
      expect((await findClinicDocument(t, created.clinicId)).name).toBe('Before');
    });

    it('should update as a partial update: omitted fields kept, except timezone and phone numbers, which are cleared', async () => {
      const res = await update(created.admin.token, {
        name: 'After',
        preferredBgUnits: 'mmol/L',
        city: 'Newtown',
        shareCode: 'AAAA-BBBB-CCCC',
        tier: 'tier0400',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ...created.clinic,
        name: 'After',
        preferredBgUnits: 'mmol/L',
        city: 'Newtown',
        timezone: undefined,
        phoneNumbers: undefined,
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
      expect(res.body).not.toHaveProperty('timezone');
      expect(res.body).not.toHaveProperty('phoneNumbers');
      expect(res.body.updatedTime > created.clinic.updatedTime).toBe(true);

      const stored = await findClinicDocument(t, created.clinicId);
      expect(stored).toMatchObject({
        name: 'After',
        preferredBgUnits: 'mmol/L',
        city: 'Newtown',
        address: '1 Old Rd',
        timezone: null,
        phoneNumbers: null,
        canonicalShareCode: created.clinic.shareCode,
      });
      expect(stored.tier).toBeUndefined();
    });

    it('should let servers update too', async () => {
      const res = await update(server, { ...fullProfile, name: 'By Server' });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('By Server');
      expect(res.body.phoneNumbers).toEqual([{ number: '555-0000' }]);
      expect((await findClinicDocument(t, created.clinicId)).timezone).toBe('America/New_York');
    });

    it('should reject invalid bodies with field details and change nothing', async () => {
      const before = await findClinicDocument(t, created.clinicId);
      const cases: Array<[unknown, string[]]> = [
        [{ preferredBgUnits: 'mg/dL' }, ['name']],
        [{ name: 'x' }, ['preferredBgUnits']],
        [{ name: 'x', preferredBgUnits: 'mg/dL', clinicSize: 'huge' }, ['clinicSize']],
        [{ name: 'x', preferredBgUnits: 'mg/dL', city: '' }, ['city']],
      ];
      for (const [body, fields] of cases) expectValidationError(await update(created.admin.token, body), ...fields);
      expectValidationError(await update(server, { name: 'x', preferredBgUnits: 'mg/dL' }, 'bad-id'), 'clinicId');
      expect(await findClinicDocument(t, created.clinicId)).toEqual(before);
    });

    it('should answer 404 "clinic not found" for an unknown clinic', async () => {
      const res = await update(server, { name: 'x', preferredBgUnits: 'mg/dL' }, newObjectId());
      expectError(res, 404, 'clinic not found');
    });
  });
});
