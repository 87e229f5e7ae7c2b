import { Types } from 'mongoose';
import { authConfig } from '../../../src/config/auth.config';
import { expectError } from '../../support/expect-error';
import { TEST_TOKEN_SECRET, useTestApp } from '../../support/test-app';
import { STUB_CLIENT_ID, STUB_CLIENT_SECRET, TidepoolStub } from '../../support/tidepool-stub';

/** AddServiceAccount with the `tidepool` user directory: the user id comes from an OAuth2 client-credentials grant. */
describe('AddServiceAccount with the tidepool user directory', () => {
  let stub: TidepoolStub;
  beforeAll(async () => {
    stub = await TidepoolStub.start();
  });
  afterAll(() => stub.stop());
  const t = useTestApp(() => ({
    override: (builder) =>
      builder
        .overrideProvider(authConfig.KEY)
        .useValue({ ...stub.config(), provider: 'jwt', tokenSecret: TEST_TOKEN_SECRET }),
  }));

  it('should make the id token’s subject a CLINIC_MEMBER service account of the clinic', async () => {
    // The creator is looked up in the (stubbed) platform directory.
    stub.users.set('1111111111', {
      userid: '1111111111',
      username: 'owner@example.com',
      emails: ['owner@example.com'],
    });
    stub.profiles.set('1111111111', { fullName: 'Owner' });
    const { clinicId } = await createClinicAs('1111111111');
    stub.serviceAccountSubject = 'a1b2c3d4-e5f6-4a1b-8c9d-0e1f2a3b4c5d';

    const res = await t.call<any>('POST', `/v1/clinics/${clinicId}/service_accounts`, {
      token: await t.tokens.server(),
      body: { name: 'Integration', client_id: STUB_CLIENT_ID, client_secret: STUB_CLIENT_SECRET },
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: stub.serviceAccountSubject,
      email: '',
      name: 'Integration',
      roles: ['CLINIC_MEMBER'],
    });
    const grant = new URLSearchParams(stub.last('oauthToken')!.body);
    expect(grant.get('grant_type')).toBe('client_credentials');
    expect(grant.get('client_id')).toBe(STUB_CLIENT_ID);
    const stored = await t.connection
      .collection('clinicians')
      .findOne({ clinicId: new Types.ObjectId(clinicId), userId: stub.serviceAccountSubject });
    expect(stored).toMatchObject({ isServiceAccount: true, roles: ['CLINIC_MEMBER'] });
  });

  it('should fail with 500 and add nothing when the grant is refused', async () => {
    stub.users.set('2222222222', { userid: '2222222222', username: 'o2@example.com', emails: ['o2@example.com'] });
    const { clinicId } = await createClinicAs('2222222222');
    const res = await t.call('POST', `/v1/clinics/${clinicId}/service_accounts`, {
      token: await t.tokens.server(),
      body: { name: 'Integration', client_id: STUB_CLIENT_ID, client_secret: 'wrong' },
    });
    expectError(res, 500, 'Internal Server Error');
    expect(await t.connection.collection('clinicians').countDocuments({ clinicId: new Types.ObjectId(clinicId) })).toBe(
      1,
    );
  });

  async function createClinicAs(userId: string): Promise<{ clinicId: string }> {
    const res = await t.call<any>('POST', '/v1/clinics', {
      token: await t.tokens.user(userId),
      body: { name: 'Stubbed', preferredBgUnits: 'mg/dL' },
    });
    expect(res.status).toBe(200);
    return { clinicId: res.body.id };
  }
});
