import { Types } from 'mongoose';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import {
  expectCountsExact,
  findPatientDocument,
  findPatientDocuments,
  setMrnSettings,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME } from '../clinics/expectations';

describe('CreatePatientAccount — POST /v1/clinics/{clinicId}/patients', () => {
  const t = useTestApp();

  const custodialUsers = () => t.connection.collection('users').countDocuments({ custodial: true });
  const create = (clinicId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, { token, body });
  const withSites = async (clinicId: string, names: string[]) => {
    const sites = names.map((name) => ({ id: new Types.ObjectId(), name }));
    await t.connection.collection('clinics').updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { sites } });
    return sites.map((site) => ({ id: site.id.toHexString(), name: site.name }));
  };

  it('should deny prescribers, plain users and other clinics’ admins, creating nothing', async () => {
    const { clinicId } = await createClinic(t);
    const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
    const other = await createClinic(t);
    const outsider = await t.users.create();
    const before = await custodialUsers();
    await expectDenials((token) => create(clinicId, token, { fullName: 'Nope', birthDate: '2010-01-01' }), {
      prescriber: prescriber.token,
      user: outsider.token,
      otherClinicAdmin: other.admin.token,
    });
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
    expect(await custodialUsers()).toBe(before);
  });

  it('should create a custodial account and its patient with every permission, invited by the member', async () => {
    const { clinicId } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);

    const res = await create(clinicId, member.token, {
      fullName: 'Ada Lovelace',
      birthDate: '2012-12-10',
      email: 'Ada.Lovelace@Example.com',
      mrn: 'MRN-1',
      targetDevices: ['dexcomG7'],
      permissions: { view: {} },
    });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{10}$/),
      fullName: 'Ada Lovelace',
      birthDate: '2012-12-10',
      email: 'ada.lovelace@example.com',
      mrn: 'MRN-1',
      targetDevices: ['dexcomG7'],
      permissions: { custodian: {}, view: {}, upload: {}, note: {} },
      tags: null,
      dataSources: null,
      reviews: [],
      sites: [],
      connectionRequests: { abbott: [], dexcom: [], twiist: [] },
      createdTime: expect.stringMatching(ISO_DATE_TIME),
      updatedTime: expect.stringMatching(ISO_DATE_TIME),
    });
    const userId = res.body.id as string;
    const stored = await findPatientDocument(t, clinicId, userId);
    expect(stored).toMatchObject({
      clinicId: new Types.ObjectId(clinicId),
      userId,
      fullName: 'Ada Lovelace',
      fullNameKey: 'ada lovelace',
      birthDate: '2012-12-10',
      email: 'ada.lovelace@example.com',
      mrn: 'MRN-1',
      mrnLower: 'mrn-1',
      requireUniqueMrn: false,
      invitedBy: member.userId,
      permissions: { custodian: {}, view: {}, upload: {}, note: {} },
    });
    expect(stored).not.toHaveProperty('mrnKey');
    const account = await t.connection.collection('users').findOne({ userId });
    expect(account).toMatchObject({ custodial: true, emailKey: 'ada.lovelace@example.com' });
    await expectCountsExact(t, clinicId);
  });

  it('should create an account without an e-mail, not invited by anyone when a server asks', async () => {
    const { clinicId } = await createClinic(t);

    const res = await create(clinicId, await t.tokens.server(), {
      fullName: 'No Mail',
      birthDate: '2019-01-02',
      email: '',
    });

    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('email');
    const stored = await findPatientDocument(t, clinicId, res.body.id);
    expect(stored).not.toHaveProperty('invitedBy');
    expect(await t.connection.collection('users').findOne({ userId: res.body.id })).toMatchObject({
      custodial: true,
      emails: [],
    });
  });

  it('should store tags, data sources, reviews, glycemic ranges (with defaults), the diagnosis type and the clinic’s sites', async () => {
    const { clinicId, admin } = await createClinic(t);
    const [north, south] = await withSites(clinicId, ['North', 'South']);
    const tag = newObjectId();

    const res = await create(clinicId, admin.token, {
      fullName: 'Full Body',
      birthDate: '2000-01-01',
      tags: [tag],
      sites: [{ id: north.id, name: 'ignored' }, { id: south.id }, { id: north.id }],
      dataSources: [{ providerName: 'dexcom', state: 'pending', expirationTime: '2030-01-01T00:00:00Z' }],
      reviews: [{ clinicianId: admin.userId, time: '2024-01-01T00:00:00Z' }],
      glycemicRanges: {},
      diagnosisType: 'type1',
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tags: [tag],
      sites: [north, south],
      dataSources: [{ providerName: 'dexcom', state: 'pending', expirationTime: '2030-01-01T00:00:00.000Z' }],
      reviews: [{ clinicianId: admin.userId, time: '2024-01-01T00:00:00.000Z' }],
      glycemicRanges: { type: 'preset', preset: 'adaStandard' },
      diagnosisType: 'type1',
    });
    const stored = await findPatientDocument(t, clinicId, res.body.id);
    expect(stored.tags).toEqual([new Types.ObjectId(tag)]);
    expect(stored.sites).toEqual([
      { id: new Types.ObjectId(north.id), name: 'North' },
      { id: new Types.ObjectId(south.id), name: 'South' },
    ]);
    await expectCountsExact(t, clinicId);
  });

  it('should refuse an empty body with 400 naming fullName and birthDate, creating nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    const before = await custodialUsers();

    expectValidationError(await create(clinicId, admin.token), 'fullName', 'birthDate');
    expectValidationError(await create(clinicId, admin.token, {}), 'fullName', 'birthDate');

    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
    expect(await custodialUsers()).toBe(before);
  });

  it.each([
    ['an e-mail that is not one', { email: 'not-an-email' }, 'email'],
    ['an impossible birth date', { birthDate: '2020-13-01' }, 'birthDate'],
    ['an empty name', { fullName: '' }, 'fullName'],
    ['an empty MRN', { mrn: '' }, 'mrn'],
    ['a malformed tag id', { tags: ['nope'] }, 'tags'],
    ['a duplicate tag id', { tags: ['0123456789abcdef01234567', '0123456789abcdef01234567'] }, 'tags'],
    [
      'an unknown data source state',
      { dataSources: [{ providerName: 'dexcom', state: 'sleepy' }] },
      'dataSources[0].state',
    ],
    ['an unknown diagnosis type', { diagnosisType: 'type9' }, 'diagnosisType'],
    ['an unknown glycemic preset', { glycemicRanges: { type: 'preset', preset: 'strict' } }, 'glycemicRanges.preset'],
  ])('should refuse %s with 400, creating nothing', async (_case, override, field) => {
    const { clinicId, admin } = await createClinic(t);
    const before = await custodialUsers();

    const res = await create(clinicId, admin.token, { fullName: 'Val Idation', birthDate: '2010-10-10', ...override });

    expectValidationError(res, field);
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
    expect(await custodialUsers()).toBe(before);
  });

  it('should refuse a site the clinic does not have with 422, creating no account', async () => {
    const { clinicId, admin } = await createClinic(t);
    await withSites(clinicId, ['Only']);
    const before = await custodialUsers();

    const res = await create(clinicId, admin.token, {
      fullName: 'Lost Site',
      birthDate: '2010-10-10',
      sites: [{ id: newObjectId(), name: 'Elsewhere' }],
    });

    expectError(res, 422, 'constraint violation: the clinic has no site with that name');
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
    expect(await custodialUsers()).toBe(before);
  });

  it('should answer 409 when the e-mail already has an account, creating nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    const existing = await t.users.create({ email: 'Taken.Patient@example.com' });
    const before = await custodialUsers();

    const res = await create(clinicId, admin.token, {
      fullName: 'Second Taker',
      birthDate: '2010-10-10',
      email: existing.emails[0].toUpperCase(),
    });

    expectError(res, 409, 'duplicate: email address is already taken');
    expect(await findPatientDocuments(t, clinicId)).toEqual([]);
    expect(await custodialUsers()).toBe(before);
  });

  it('should remove the new account again when the patient record cannot be stored', async () => {
    const { clinicId, admin } = await createClinic(t);
    await setMrnSettings(t, clinicId, false, true);
    // A record holding the unique MRN key without the copy the service's check reads: only the
    // unique index can refuse the insert, after the account was created.
    await t.connection.collection('patients').insertOne({
      clinicId: new Types.ObjectId(clinicId),
      userId: 'aaaaaaaaaa',
      fullNameKey: '',
      mrnKey: `${clinicId}:race-1`,
      createdTime: new Date(),
      updatedTime: new Date(),
    });
    const before = await custodialUsers();

    const res = await create(clinicId, admin.token, {
      fullName: 'Raced',
      birthDate: '2010-10-10',
      email: 'raced@example.com',
      mrn: 'RACE-1',
    });

    expectError(res, 400, 'bad request: mrn must be unique');
    expect(await custodialUsers()).toBe(before);
    expect(await t.connection.collection('users').findOne({ emailKey: 'raced@example.com' })).toBeNull();
    expect(await findPatientDocuments(t, clinicId)).toHaveLength(1);
  });

  it('should answer 404 to a server for a clinic that does not exist, creating no account', async () => {
    const before = await custodialUsers();
    const res = await create(newObjectId(), await t.tokens.server(), { fullName: 'Nowhere', birthDate: '2010-10-10' });
    expectError(res, 404, 'clinic not found');
    expect(await custodialUsers()).toBe(before);
  });
});
