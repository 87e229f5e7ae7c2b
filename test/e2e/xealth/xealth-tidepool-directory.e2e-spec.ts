import { Types } from 'mongoose';
import { authConfig } from '../../../src/config/auth.config';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { TidepoolStub } from '../../support/tidepool-stub';
import { getProgramUrlRequest, useXealthStub, xealth, xealthApp, xealthSettings } from './xealth.fixtures';

/** USER_DIRECTORY=tidepool: restricted tokens come from the platform auth API, not our database. */
describe('Xealth program URL and report viewer with the tidepool user directory', () => {
  const xealthStub = useXealthStub();
  let platform: TidepoolStub;
  beforeAll(async () => {
    platform = await TidepoolStub.start();
    platform.tokens.set('server-token', { UserID: 'orca', IsServer: true });
  });
  afterAll(() => platform.stop());
  const t = useTestApp(() => {
    const options = xealthApp(xealthStub)();
    return {
      override: (builder) => options.override!(builder).overrideProvider(authConfig.KEY).useValue(platform.config()),
    };
  });
  const clinicId = new Types.ObjectId();
  const patientId = '1234567891';

  beforeAll(async () => {
    const now = new Date();
    await t.connection.collection('clinics').insertOne({
      _id: clinicId,
      name: 'Directory Clinic',
      preferredBgUnits: 'mmol/L',
      timezone: 'US/Eastern',
      canonicalShareCode: 'DIRE-CTOR-YCLI',
      shareCodes: ['DIRE-CTOR-YCLI'],
      admins: [],
      createdTime: now,
      updatedTime: now,
    });
    const settings = await t.call('PUT', `/v1/clinics/${clinicId.toHexString()}/settings/ehr`, {
      token: 'server-token',
      body: xealthSettings(),
    });
    expect(settings.status).toBe(200);
    await t.connection.collection('patients').insertOne({
      _id: new Types.ObjectId(),
      clinicId,
      userId: patientId,
      fullName: 'FirstName First LastName Last',
      fullNameKey: 'firstname first lastname last',
      birthDate: '1985-01-11',
      mrn: 'e987655',
      mrnLower: 'e987655',
      email: null,
      permissions: { custodian: {}, view: {}, upload: {}, note: {} },
      ehrSubscriptions: {
        xealthReports: { active: true, provider: 'xealth', matchedMessages: [], createdAt: now, updatedAt: now },
      },
      createdTime: now,
      updatedTime: now,
    });
  });

  it('should ask the auth API for the restricted token and check it there', async () => {
    const res = await xealth(t, 'PUT', 'program', getProgramUrlRequest());
    expect(res.status).toBe(200);
    expect(platform.count('createRestrictedToken')).toBe(1);
    expect(platform.last('createRestrictedToken')?.path).toBe(`/auth/v1/users/${patientId}/restricted_tokens`);
    const url = new URL(res.body.url);
    const tokenId = url.searchParams.get('restricted_token')!;
    expect(platform.restrictedTokens.get(tokenId)?.userId).toBe(patientId);
    expect(await t.connection.collection('restricted_tokens').countDocuments()).toBe(0);

    const page = await t.call('GET', `${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(platform.last('getRestrictedToken')?.path).toBe(`/auth/v1/restricted_tokens/${tokenId}`);
    expect(page.text).toContain('bgUnits=mmol%2FL\\u0026dob=1985-01-11');
    expect(page.text).toContain('tzName=US%2FEastern');

    expectError(
      await t.call('GET', url.pathname, {
        query: { clinicId: clinicId.toHexString(), patientId, restricted_token: 'a'.repeat(32) },
      }),
      401,
      'unauthorized: invalid or expired token',
    );
  });
});
