import { Types } from 'mongoose';
import { createClinic, findClinicDocument, newObjectId, seedClinician } from '../../support/builders';
import { addUserPatient } from '../../support/patient-builders';
import { expectError, expectValidationError, FORBIDDEN_MESSAGE } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';

/** ListPatients: who may call it, what it refuses, and the shape of what it answers. */
describe('ListPatients access, input and response', () => {
  const t = useTestApp();
  const clinicId = newObjectId();
  const url = `/v1/clinics/${clinicId}/patients`;
  let member: string;
  let admin: string;

  beforeAll(async () => {
    member = (await seedClinician(t, clinicId, ['CLINIC_MEMBER'])).token;
    admin = (await seedClinician(t, clinicId, ['CLINIC_ADMIN'])).token;
    await t.connection
      .collection('patients')
      .insertMany(SHAPES.map((shape) => ({ ...shape.stored, clinicId: new Types.ObjectId(clinicId) })));
  });

  describe('authorization', () => {
    it('should answer 400 without a session token and 401 with an invalid one', async () => {
      expectError(await t.call('GET', url), 400, 'session token is missing');
      expectError(await t.call('GET', url, { token: 'not-a-token' }), 401, 'session token is invalid');
    });

    it('should deny users without a member role in the clinic (403), before validating the query', async () => {
      const stranger = await t.users.create();
      const prescriber = await seedClinician(t, clinicId, ['PRESCRIBER']);
      const elsewhere = await seedClinician(t, newObjectId(), ['CLINIC_ADMIN']);
      for (const token of [stranger.token, prescriber.token, elsewhere.token]) {
        expectError(await t.call('GET', url, { token }), 403, FORBIDDEN_MESSAGE);
        expectError(await t.call('GET', url, { token, query: { limit: 'lots', sort: 'x' } }), 403, FORBIDDEN_MESSAGE);
      }
    });

    it('should let members, admins and services list', async () => {
      for (const token of [member, admin, await t.tokens.server()]) {
        const res = await t.call<any>('GET', url, { token });
        expect(res.status).toBe(200);
        expect(res.body.meta).toEqual({ count: SHAPES.length, totalCount: SHAPES.length });
      }
    });

    it('should answer an unknown clinic with an empty list for a service (members cannot ask)', async () => {
      const res = await t.call('GET', `/v1/clinics/${newObjectId()}/patients`, { token: await t.tokens.server() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ data: [], meta: { count: 0, totalCount: 0 } });
    });

    it('should refuse a malformed clinic id (400)', async () => {
      expectValidationError(
        await t.call('GET', '/v1/clinics/not-a-clinic/patients', { token: await t.tokens.server() }),
        'clinicId',
      );
    });
  });

  describe('bad input', () => {
    const list = (query: Record<string, string | number>) => t.call('GET', url, { token: member, query });

    it.each([
      ['limit above 1000', { limit: 1001 }, 'limit'],
      ['limit 0', { limit: 0 }, 'limit'],
      ['a non-numeric limit', { limit: 'ten' }, 'limit'],
      ['a negative offset', { offset: -1 }, 'offset'],
      ['an unknown period', { period: '2d' }, 'period'],
      ['a malformed lastReviewed', { lastReviewed: 'yesterday' }, 'lastReviewed'],
      ['a date without time for cgm.lastDataFrom', { 'cgm.lastDataFrom': '2024-01-01' }, 'cgm.lastDataFrom'],
      ['a malformed bgm.lastDataTo', { 'bgm.lastDataTo': 'soon' }, 'bgm.lastDataTo'],
      ['a non-boolean omitNonStandardRanges', { omitNonStandardRanges: 'yes' }, 'omitNonStandardRanges'],
    ])('should refuse %s (400 naming the field)', async (_label, query, field) => {
      expectValidationError(await list(query), field);
    });

    it('should accept limit 1000', async () => {
      expect((await list({ limit: 1000 })).status).toBe(200);
    });

    it('should refuse a repeated tags, sites or search parameter', async () => {
      for (const name of ['tags', 'sites', 'search']) {
        const res = await t.app.inject({
          method: 'GET',
          url: `${url}?${name}=${newObjectId()}&${name}=${newObjectId()}`,
          headers: { 'x-tidepool-session-token': member },
        });
        expectValidationError({ status: res.statusCode, body: res.json(), headers: {}, text: res.body }, name);
      }
    });

    it.each([
      ['a sort without sortType', { sort: '-fullName' }, 'bad request: invalid sort parameter, missing type'],
      [
        'an unknown sortType',
        { sort: '-fullName', sortType: 'pump' },
        'bad request: invalid sort parameter, invalid type',
      ],
      ['an unknown sortType alone', { sortType: 'CGM' }, 'bad request: invalid sort parameter, invalid type'],
      [
        'a sort without order',
        { sort: 'fullName', sortType: 'cgm' },
        'bad request: invalid sort parameter, missing sort order',
      ],
      [
        'a sort without attribute',
        { sort: '-', sortType: 'bgm' },
        'bad request: invalid sort parameter, missing sort attribute',
      ],
      [
        'an unknown attribute',
        { sort: '+shoeSize', sortType: 'cgm' },
        'bad request: invalid sort parameter, invalid sort attribute',
      ],
      [
        'timeCGMUseRecords (not a sort key)',
        { sort: '-timeCGMUseRecords', sortType: 'cgm' },
        'bad request: invalid sort parameter, invalid sort attribute',
      ],
      [
        'a CGM-only attribute for bgm',
        { sort: '-timeInTargetMinutes', sortType: 'bgm' },
        'bad request: invalid sort parameter, invalid sort attribute',
      ],
      [
        'hoursWithData for bgm',
        { sort: '+hoursWithData', sortType: 'bgm' },
        'bad request: invalid sort parameter, invalid sort attribute',
      ],
    ])('should refuse %s with the established message', async (_label, query, message) => {
      expectError(await list(query), 400, message);
    });

    it('should read an unencoded + as a space, hence a sort without order', async () => {
      const res = await t.app.inject({
        method: 'GET',
        url: `${url}?sort=+fullName&sortType=cgm`,
        headers: { 'x-tidepool-session-token': member },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBe('bad request: invalid sort parameter, missing sort order');
      const encoded = await t.app.inject({
        method: 'GET',
        url: `${url}?sort=%2BfullName&sortType=cgm`,
        headers: { 'x-tidepool-session-token': member },
      });
      expect(encoded.statusCode).toBe(200);
    });

    it.each([
      ['no operator', { 'cgm.timeInTargetPercent': '0.5' }],
      ['a reversed operator', { 'cgm.timeInTargetPercent': '=>0.5' }],
      ['equality', { 'bgm.averageGlucoseMmol': '=7' }],
      ['a word', { 'cgm.min': '>=low' }],
      ['a decimal on an IntFilter', { 'cgm.totalRecords': '>=1.5' }],
      ['an exponent', { 'cgm.averageGlucoseMmol': '<1e3' }],
    ])('should refuse a range filter with %s', async (_label, query) => {
      const body = expectError(await list(query), 400, "bad request: couldn't parse range filter");
      expect(body.details?.map((detail) => detail.field)).toEqual(Object.keys(query));
    });
  });

  describe('response', () => {
    it('should answer {data, meta} with each patient mapped as patient.v1 (behavior-patients.md §2)', async () => {
      const res = await t.call<any>('GET', url, { token: member });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'meta']);
      const byId = new Map(res.body.data.map((patient: any) => [patient.id, patient]));
      for (const shape of SHAPES)
        expect({ [shape.label]: byId.get(shape.stored.userId) }).toEqual({ [shape.label]: shape.expected });
    });
  });
});

const created = new Date('2024-03-01T10:00:00.000Z');
const updated = new Date('2024-03-02T11:30:00.000Z');
const tagA = new Types.ObjectId();
const siteA = new Types.ObjectId();
const dataSourceId = new Types.ObjectId();
const emptyRequests = { abbott: [], dexcom: [], twiist: [] };

/** Stored documents (behavior-patients.md §1.1) and the patient.v1 each must become. */
const SHAPES: Array<{ label: string; stored: any; expected: any }> = [
  {
    label: 'a bare claimed patient',
    stored: {
      _id: new Types.ObjectId(),
      userId: '0000000000',
      birthDate: null,
      email: null,
      fullName: null,
      mrn: null,
      targetDevices: null,
      requireUniqueMrn: false,
      permissions: { view: {} },
      createdTime: created,
      updatedTime: updated,
    },
    expected: {
      id: '0000000000',
      fullName: '',
      tags: null,
      dataSources: null,
      permissions: { view: {} },
      createdTime: '2024-03-01T10:00:00.000Z',
      updatedTime: '2024-03-02T11:30:00.000Z',
      reviews: [],
      connectionRequests: emptyRequests,
      sites: [],
    },
  },
  {
    label: 'a custodial patient with everything',
    stored: {
      _id: new Types.ObjectId(),
      userId: '1111111111',
      birthDate: '2001-02-03',
      email: 'kim@example.com',
      fullName: 'Kim Lee',
      fullNameKey: 'kim lee',
      mrn: 'A-17',
      targetDevices: ['dexcom-g7'],
      requireUniqueMrn: true,
      tags: [tagA],
      sites: [{ id: siteA, name: 'North' }],
      dataSources: [
        {
          providerName: 'dexcom',
          state: 'connected',
          dataSourceId,
          modifiedTime: created,
          latestDataTime: updated,
        },
      ],
      permissions: { custodian: {}, view: {}, upload: {}, note: {} },
      invitedBy: '2222222222',
      createdTime: created,
      updatedTime: updated,
      summary: {
        cgmStats: {
          id: 'abc123',
          config: { schemaVersion: 5, highGlucoseThreshold: 10 },
          dates: { hasLastData: true, lastData: updated, hasFirstData: false },
          periods: { '14d': { hasTimeInTargetPercent: true, timeInTargetPercent: 0.71, min: 3.1 } },
        },
      },
      reviews: [
        { clinicianId: '3333333333', time: updated },
        { clinicianId: '4444444444', time: created },
      ],
      lastUploadReminderTime: created,
      providerConnectionRequests: {
        twiist: [{ providerName: 'twiist', createdTime: updated }],
        dexcom: [{ providerName: 'dexcom', createdTime: created }],
      },
      glycemicRanges: { type: 'preset', preset: 'adaPregnancyType1' },
      diagnosisType: 'type1',
    },
    expected: {
      id: '1111111111',
      fullName: 'Kim Lee',
      birthDate: '2001-02-03',
      email: 'kim@example.com',
      mrn: 'A-17',
      targetDevices: ['dexcom-g7'],
      tags: [tagA.toHexString()],
      sites: [{ id: siteA.toHexString(), name: 'North' }],
      dataSources: [
        {
          providerName: 'dexcom',
          state: 'connected',
          dataSourceId: dataSourceId.toHexString(),
          modifiedTime: '2024-03-01T10:00:00.000Z',
          latestDataTime: '2024-03-02T11:30:00.000Z',
        },
      ],
      permissions: { custodian: {}, view: {}, upload: {}, note: {} },
      createdTime: '2024-03-01T10:00:00.000Z',
      updatedTime: '2024-03-02T11:30:00.000Z',
      summary: {
        cgmStats: {
          id: 'abc123',
          config: { schemaVersion: 5, highGlucoseThreshold: 10 },
          dates: { hasLastData: true, lastData: '2024-03-02T11:30:00.000Z', hasFirstData: false },
          periods: { '14d': { hasTimeInTargetPercent: true, timeInTargetPercent: 0.71, min: 3.1 } },
        },
      },
      reviews: [
        { clinicianId: '3333333333', time: '2024-03-02T11:30:00.000Z' },
        { clinicianId: '4444444444', time: '2024-03-01T10:00:00.000Z' },
      ],
      lastUploadReminderTime: '2024-03-01T10:00:00.000Z',
      connectionRequests: {
        abbott: [],
        dexcom: [{ providerName: 'dexcom', createdTime: '2024-03-01T10:00:00.000Z' }],
        twiist: [{ providerName: 'twiist', createdTime: '2024-03-02T11:30:00.000Z' }],
      },
      glycemicRanges: { type: 'preset', preset: 'adaPregnancyType1' },
      diagnosisType: 'type1',
    },
  },
  {
    label: 'empty values and legacy fields',
    stored: {
      _id: new Types.ObjectId(),
      userId: '5555555555',
      birthDate: '',
      email: 'sam@example.com',
      fullName: 'sam',
      fullNameKey: 'sam',
      mrn: null,
      targetDevices: [],
      requireUniqueMrn: false,
      tags: [],
      sites: [],
      dataSources: [],
      createdTime: created,
      updatedTime: updated,
      summary: {},
      reviews: [],
      lastRequestedDexcomConnectTime: updated,
      glycemicRanges: {
        type: 'custom',
        custom: {
          name: 'Mine',
          thresholds: [
            { name: 'low', upperBound: { value: 3.9, units: 'mmol/L' }, inclusive: false },
            { name: 'target', upperBound: { value: 10, units: 'mmol/L' }, inclusive: true },
          ],
        },
      },
      diagnosisType: '',
    },
    expected: {
      id: '5555555555',
      fullName: 'sam',
      email: 'sam@example.com',
      targetDevices: [],
      tags: null,
      dataSources: [],
      createdTime: '2024-03-01T10:00:00.000Z',
      updatedTime: '2024-03-02T11:30:00.000Z',
      reviews: [],
      connectionRequests: {
        ...emptyRequests,
        dexcom: [{ providerName: 'dexcom', createdTime: '2024-03-02T11:30:00.000Z' }],
      },
      sites: [],
      glycemicRanges: {
        type: 'custom',
        custom: {
          name: 'Mine',
          thresholds: [
            { name: 'low', upperBound: { value: 3.9, units: 'mmol/L' } },
            { name: 'target', upperBound: { value: 10, units: 'mmol/L' }, inclusive: true },
          ],
        },
      },
    },
  },
  {
    label: 'unrecognised ranges and diagnosis, BGM summary only',
    stored: {
      _id: new Types.ObjectId(),
      userId: '01234567-89ab-4cde-8f01-23456789abcd',
      birthDate: '1980-12-31',
      email: null,
      fullName: 'Ola Nordmann',
      fullNameKey: 'ola nordmann',
      mrn: 'x',
      targetDevices: null,
      requireUniqueMrn: false,
      tags: null,
      createdTime: created,
      updatedTime: updated,
      summary: { bgmStats: { id: '', dates: { hasLastData: false }, periods: {} } },
      glycemicRanges: { type: 'preset', preset: 'somethingElse' },
      diagnosisType: 'type9',
    },
    expected: {
      id: '01234567-89ab-4cde-8f01-23456789abcd',
      fullName: 'Ola Nordmann',
      birthDate: '1980-12-31',
      mrn: 'x',
      tags: null,
      dataSources: null,
      createdTime: '2024-03-01T10:00:00.000Z',
      updatedTime: '2024-03-02T11:30:00.000Z',
      summary: { bgmStats: { id: '', dates: { hasLastData: false }, periods: {} } },
      reviews: [],
      connectionRequests: emptyRequests,
      sites: [],
    },
  },
];

describe('ListPatients counts on a clinic made through the API', () => {
  const t = useTestApp();

  it('should answer the stored patient count as totalCount and count the matches of a filter', async () => {
    const { clinicId, admin } = await createClinic(t);
    await addUserPatient(t, clinicId, { fullName: 'Ada Lovelace' });
    await addUserPatient(t, clinicId, { fullName: 'Alan Turing' });
    await addUserPatient(t, clinicId, { fullName: 'Grace Hopper' });
    const url = `/v1/clinics/${clinicId}/patients`;

    const firstPage = await t.call<any>('GET', url, { token: admin.token, query: { limit: 2 } });
    expect(firstPage.status).toBe(200);
    expect(firstPage.body.data.map((patient: any) => patient.fullName)).toEqual(['Ada Lovelace', 'Alan Turing']);
    expect(firstPage.body.meta).toEqual({ count: 3, totalCount: 3 });

    const searched = await t.call<any>('GET', url, { token: admin.token, query: { search: 'a', limit: 1 } });
    expect(searched.body.meta).toEqual({ count: 3, totalCount: 3 });
    const narrowed = await t.call<any>('GET', url, { token: admin.token, query: { search: 'turing', limit: 1 } });
    expect(narrowed.body.meta).toEqual({ count: 1, totalCount: 3 });
    expect((await findClinicDocument(t, clinicId)).patientCount.total).toBe(3);
  });
});
