import { Types } from 'mongoose';
import { addClinician, createClinic, CreatedClinic, findClinicianDocuments, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectAdminsConsistent, expectDenials, ISO_DATE_TIME } from '../clinics/expectations';

describe('AddServiceAccount — POST /v1/clinics/{clinicId}/service_accounts (embedded user directory)', () => {
  const t = useTestApp();
  let server: string;
  let created: CreatedClinic;

  beforeAll(async () => {
    server = await t.tokens.server();
  });
  // A new clinic for every test, as most of them add to it.
  beforeEach(async () => {
    created = await createClinic(t);
  });

  const add = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/service_accounts`, { token, body });
  const credentials = (clientId: string) => ({ name: 'EHR Bridge', client_id: clientId, client_secret: 's3cret' });

  it('should deny everyone but servers, the clinic’s admin included', async () => {
    const member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
    const outsider = await t.users.create();
    await expectDenials((token) => add(token, credentials('denied-client')), {
      admin: created.admin.token,
      member: member.token,
      user: outsider.token,
    });
    expect(
      await t.connection
        .collection('clinicians')
        .countDocuments({ clinicId: new Types.ObjectId(created.clinicId), isServiceAccount: true }),
    ).toBe(0);
    expect(await t.connection.collection('users').countDocuments({ serviceAccountClientId: 'denied-client' })).toBe(0);
  });

  it('should add the API client as a CLINIC_MEMBER service account without an e-mail', async () => {
    const res = await add(server, credentials('bridge-client'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{10}$/),
      email: '',
      name: 'EHR Bridge',
      roles: ['CLINIC_MEMBER'],
      createdTime: expect.stringMatching(ISO_DATE_TIME),
      updatedTime: expect.stringMatching(ISO_DATE_TIME),
    });
    const user = await t.connection.collection('users').findOne({ serviceAccountClientId: 'bridge-client' });
    expect(user!.userId).toBe(res.body.id);
    const stored = await t.connection
      .collection('clinicians')
      .findOne({ clinicId: new Types.ObjectId(created.clinicId), userId: res.body.id });
    expect(stored).toMatchObject({ roles: ['CLINIC_MEMBER'], isServiceAccount: true, name: 'EHR Bridge' });
    expect(stored!.email).toBeUndefined();
    expect(stored!.emailKey).toBeUndefined();
    await expectAdminsConsistent(t, created.clinicId);

    // The client then acts as an ordinary member of the clinic.
    const token = await t.tokens.user(res.body.id);
    expect((await t.call('GET', `/v1/clinics/${created.clinicId}/clinicians`, { token })).status).toBe(200);
  });

  it('should answer 409 when the service account is already a member', async () => {
    expect((await add(server, credentials('member-client'))).status).toBe(200);
    const before = (await findClinicianDocuments(t, created.clinicId)).length;
    expectError(
      await add(server, credentials('member-client')),
      409,
      'duplicate: clinician is already a member of the clinic',
    );
    expect(await findClinicianDocuments(t, created.clinicId)).toHaveLength(before);
  });

  it('should reject invalid bodies with field details and write nothing', async () => {
    const before = (await findClinicianDocuments(t, created.clinicId)).length;
    expectValidationError(await add(server, {}), 'name', 'client_id', 'client_secret');
    expectValidationError(await add(server, { ...credentials('x'), client_secret: '' }), 'client_secret');
    expectValidationError(await add(server, { ...credentials('x'), name: 7 }), 'name');
    expect(await findClinicianDocuments(t, created.clinicId)).toHaveLength(before);
  });

  it('should answer 404 for an unknown clinic and 422 for an unmigrated one', async () => {
    expectError(await add(server, credentials('lost-client'), newObjectId()), 404, 'clinic not found');
    const legacy = await createClinic(t);
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(legacy.clinicId) }, { $set: { isMigrated: false } });
    expectError(
      await add(server, credentials('legacy-client'), legacy.clinicId),
      422,
      'constraint violation: clinic is not migrated',
    );
    expect(
      await t.connection
        .collection('users')
        .countDocuments({ serviceAccountClientId: { $in: ['lost-client', 'legacy-client'] } }),
    ).toBe(0);
  });
});
