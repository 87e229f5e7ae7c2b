import { Types } from 'mongoose';
import { authConfig } from '../../../src/config/auth.config';
import { expectError } from '../../support/expect-error';
import { findPatientDocument, findPatientDocuments, setMrnSettings } from '../../support/patient-builders';
import { TEST_TOKEN_SECRET, useTestApp } from '../../support/test-app';
import { TidepoolStub } from '../../support/tidepool-stub';

/** Patient creation and e-mail changes with the `tidepool` user directory (the platform's user and profile services). */
describe('patients with the tidepool user directory', () => {
  let stub: TidepoolStub;
  beforeAll(async () => {
    stub = await TidepoolStub.start();
  });
  const t = useTestApp(() => ({
    override: (builder) =>
      builder
        .overrideProvider(authConfig.KEY)
        .useValue({ ...stub.config(), provider: 'jwt', tokenSecret: TEST_TOKEN_SECRET }),
  }));
  let server: string;
  let clinicId: string;
  let adminToken: string;

  beforeAll(async () => {
    server = await t.tokens.server();
    stub.users.set('1111111111', {
      userid: '1111111111',
      username: 'owner@example.com',
      emails: ['owner@example.com'],
    });
    stub.profiles.set('1111111111', { fullName: 'Owner' });
    adminToken = await t.tokens.user('1111111111');
    const res = await t.call<any>('POST', '/v1/clinics', {
      token: adminToken,
      body: { name: 'Stubbed', preferredBgUnits: 'mg/dL' },
    });
    clinicId = res.body.id;
  });
  afterAll(async () => {
    await stub.stop();
  });

  it('should create the custodial account on the platform, with the e-mail as username', async () => {
    const res = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
      token: adminToken,
      body: { fullName: 'Platform Patient', birthDate: '2011-11-11', email: 'Platform@Example.com' },
    });

    expect(res.status).toBe(200);
    const request = stub.last('createCustodialUser');
    expect(request?.path).toBe(`/shoreline/v1/clinics/${clinicId}/users`);
    expect(JSON.parse(request!.body)).toEqual({ username: 'platform@example.com', emails: ['platform@example.com'] });
    expect(stub.users.get(res.body.id)).toMatchObject({ username: 'platform@example.com' });
    expect(await findPatientDocument(t, clinicId, res.body.id)).toMatchObject({ invitedBy: '1111111111' });
  });

  it('should answer 409 when the platform says the e-mail is taken, creating nothing', async () => {
    const before = await findPatientDocuments(t, clinicId);
    const res = await t.call('POST', `/v1/clinics/${clinicId}/patients`, {
      token: adminToken,
      body: { fullName: 'Taken', birthDate: '2011-11-11', email: 'owner@example.com' },
    });
    expectError(res, 409, 'duplicate: email address is already taken');
    expect(await findPatientDocuments(t, clinicId)).toEqual(before);
  });

  it('should delete the platform account again when the record cannot be stored', async () => {
    const other = await t.call<any>('POST', '/v1/clinics', {
      token: adminToken,
      body: { name: 'Unique MRNs', preferredBgUnits: 'mg/dL' },
    });
    const otherId = other.body.id as string;
    await setMrnSettings(t, otherId, false, true);
    await t.connection.collection('patients').insertOne({
      clinicId: new Types.ObjectId(otherId),
      userId: 'cccccccccc',
      fullNameKey: '',
      mrnKey: `${otherId}:hidden-2`,
      createdTime: new Date(),
      updatedTime: new Date(),
    });

    const res = await t.call('POST', `/v1/clinics/${otherId}/patients`, {
      token: adminToken,
      body: { fullName: 'Orphan', birthDate: '2011-11-11', email: 'orphan@example.com', mrn: 'HIDDEN-2' },
    });

    expectError(res, 400, 'bad request: mrn must be unique');
    const created = JSON.parse(stub.last('createCustodialUser')!.body) as { username: string };
    expect(created.username).toBe('orphan@example.com');
    expect(stub.last('deleteUser')?.method).toBe('DELETE');
    expect([...stub.users.values()].some((user) => user.username === 'orphan@example.com')).toBe(false);
  });

  it('should make a record from a platform user and profile (CreatePatientFromUser)', async () => {
    stub.users.set('2222222222', {
      userid: '2222222222',
      username: 'Shared@Example.com',
      emails: ['shared@example.com'],
    });
    stub.profiles.set('2222222222', {
      fullName: 'Shared Account',
      patient: { birthday: '2005-05-05', mrn: 'S-5', targetDevices: ['dexcom'] },
    });

    const res = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients/2222222222`, {
      token: server,
      body: { permissions: { view: {} } },
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: '2222222222',
      fullName: 'Shared Account',
      birthDate: '2005-05-05',
      mrn: 'S-5',
      email: 'shared@example.com',
      targetDevices: ['dexcom'],
    });
    expectError(
      await t.call('POST', `/v1/clinics/${clinicId}/patients/3333333333`, { token: server, body: {} }),
      404,
      'not found',
    );
  });

  it('should send a custodial patient’s new e-mail to the platform', async () => {
    const created = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
      token: adminToken,
      body: { fullName: 'Mover', birthDate: '2011-11-11', email: 'mover@example.com' },
    });

    const res = await t.call<any>('PUT', `/v1/clinics/${clinicId}/patients/${created.body.id}`, {
      token: adminToken,
      body: { fullName: 'Mover', birthDate: '2011-11-11', email: 'moved@example.com' },
    });

    expect(res.status).toBe(200);
    expect(JSON.parse(stub.last('updateUser')!.body)).toEqual({
      updates: { username: 'moved@example.com', emails: ['moved@example.com'] },
    });
  });
});
