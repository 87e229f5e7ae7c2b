import { EmbeddedUserDirectory } from '../../../src/auth/directory/embedded-user.directory';
import { UserDirectory } from '../../../src/auth/directory/user-directory';
import { ApiError } from '../../../src/common/errors/api-error';
import { useTestApp } from '../../support/test-app';

describe('embedded user directory', () => {
  const t = useTestApp();
  let directory: EmbeddedUserDirectory;

  beforeAll(() => {
    directory = t.app.get(EmbeddedUserDirectory);
  });

  const users = () => t.connection.collection('users');

  it('should be the configured user directory by default', async () => {
    const created = await directory.createUser({ email: 'default@example.com', fullName: 'Dee Fault', roles: [] });
    const found = await t.app.get(UserDirectory).getUser(created.userId);
    expect(found).toEqual(await directory.getUser(created.userId));
    expect(found?.emails).toEqual(['default@example.com']);
  });

  it('should create users with Tidepool-format ids and find them by id and by e-mail in any case', async () => {
    const created = await directory.createUser({
      email: 'Nora.Nurse@Example.com',
      fullName: 'Nora Nurse',
      roles: ['clinic'],
    });
    expect(created).toEqual({
      userId: expect.stringMatching(/^[0-9a-f]{10}$/),
      username: 'Nora.Nurse@Example.com',
      emails: ['Nora.Nurse@Example.com'],
      roles: ['clinic'],
    });
    await expect(directory.getUser(created.userId)).resolves.toEqual(created);
    await expect(directory.findUserByEmail('  nora.nurse@EXAMPLE.com ')).resolves.toEqual(created);
    await expect(directory.getProfile(created.userId)).resolves.toEqual({ fullName: 'Nora Nurse' });
    await expect(directory.getUser('ffffffffff')).resolves.toBeUndefined();
    await expect(directory.getProfile('ffffffffff')).resolves.toBeUndefined();
    await expect(directory.findUserByEmail('nobody@example.com')).resolves.toBeUndefined();
  });

  it('should refuse an e-mail that is taken, whatever its case, with 409', async () => {
    await directory.createUser({ email: 'taken@example.com', fullName: 'First' });
    const attempt = directory.createUser({ email: 'TAKEN@example.com', fullName: 'Second' });
    await expect(attempt).rejects.toMatchObject({ status: 409, message: 'duplicate: email address is already taken' });
    expect(await users().countDocuments({ emailKey: 'taken@example.com' })).toBe(1);
  });

  it('should create custodial users with and without an e-mail', async () => {
    const withEmail = await directory.createCustodialUser({
      clinicId: 'c',
      email: 'patient@example.com',
      fullName: 'Pat',
    });
    expect(withEmail).toMatchObject({
      custodial: true,
      username: 'patient@example.com',
      emails: ['patient@example.com'],
    });
    const without = await directory.createCustodialUser({ clinicId: 'c', fullName: 'Anon' });
    expect(without).toEqual({
      userId: expect.stringMatching(/^[0-9a-f]{10}$/),
      emails: [],
      roles: [],
      custodial: true,
    });
    // Users without an e-mail never collide on the sparse unique e-mail key.
    await directory.createCustodialUser({ clinicId: 'c' });
    expect(await users().findOne({ userId: without.userId })).not.toHaveProperty('emailKey');
  });

  it('should keep an optional profile per user and answer it, with the name as the default full name', async () => {
    const withProfile = await directory.createUser({
      email: 'profiled@example.com',
      fullName: 'Pro Filed',
      profile: { patient: { birthday: '2010-02-03', mrn: 'M-9', targetDevices: ['g7'] } },
    });
    await expect(directory.getProfile(withProfile.userId)).resolves.toEqual({
      fullName: 'Pro Filed',
      patient: { birthday: '2010-02-03', mrn: 'M-9', targetDevices: ['g7'] },
    });
    const named = await directory.createUser({
      email: 'named@example.com',
      fullName: 'Account Name',
      profile: { fullName: 'Profile Name', patient: { fullName: 'Patient Name' } },
    });
    await expect(directory.getProfile(named.userId)).resolves.toEqual({
      fullName: 'Profile Name',
      patient: { fullName: 'Patient Name' },
    });
  });

  it('should remove custodial users only, ignoring unknown ids', async () => {
    const custodial = await directory.createCustodialUser({ clinicId: 'c', email: 'removed@example.com' });
    const ordinary = await directory.createUser({ email: 'kept@example.com', fullName: 'Kept' });
    await directory.removeCustodialUser(custodial.userId);
    await directory.removeCustodialUser(ordinary.userId);
    await directory.removeCustodialUser('ffffffffff');
    await expect(directory.getUser(custodial.userId)).resolves.toBeUndefined();
    await expect(directory.getUser(ordinary.userId)).resolves.toMatchObject({ userId: ordinary.userId });
    // The e-mail is free again.
    await expect(directory.createCustodialUser({ clinicId: 'c', email: 'removed@example.com' })).resolves.toMatchObject(
      {
        custodial: true,
      },
    );
  });

  it("should update a user's e-mail, refusing one that is taken and an unknown user", async () => {
    const user = await directory.createUser({ email: 'old@example.com', fullName: 'Olive' });
    await directory.updateUserEmail(user.userId, 'New@Example.com');
    await expect(directory.findUserByEmail('new@example.com')).resolves.toMatchObject({ userId: user.userId });
    await expect(directory.findUserByEmail('old@example.com')).resolves.toBeUndefined();
    await directory.createUser({ email: 'other@example.com', fullName: 'Otto' });
    await expect(directory.updateUserEmail(user.userId, 'OTHER@example.com')).rejects.toMatchObject({ status: 409 });
    await expect(directory.updateUserEmail('ffffffffff', 'x@example.com')).rejects.toBeInstanceOf(ApiError);
  });

  it('should create restricted tokens that expire after an hour, and look them up', async () => {
    const before = Date.now();
    const token = await directory.createRestrictedToken('0123456789');
    expect(token.id).toMatch(/^[0-9a-f]{32}$/);
    expect(token.userId).toBe('0123456789');
    const lifetime = new Date(token.expirationTime).getTime() - new Date(token.createdTime).getTime();
    expect(lifetime).toBe(60 * 60 * 1000);
    expect(new Date(token.createdTime).getTime()).toBeGreaterThanOrEqual(before - 1000);
    await expect(directory.getRestrictedToken(token.id)).resolves.toEqual(token);
    await expect(directory.getRestrictedToken('0'.repeat(32))).resolves.toBeUndefined();
  });

  it('should create one service-account user per client id and check its secret afterwards', async () => {
    const first = await directory.resolveServiceAccount({
      clientId: 'ehr-bot',
      clientSecret: 's3cret',
      name: 'EHR Bot',
    });
    const again = await directory.resolveServiceAccount({
      clientId: 'ehr-bot',
      clientSecret: 's3cret',
      name: 'EHR Bot',
    });
    expect(again).toEqual(first);
    await expect(
      directory.resolveServiceAccount({ clientId: 'ehr-bot', clientSecret: 'wrong', name: 'EHR Bot' }),
    ).rejects.toMatchObject({ status: 400 });
    const stored = await users().findOne({ userId: first.userId });
    expect(stored).toMatchObject({ fullName: 'EHR Bot', serviceAccountClientId: 'ehr-bot' });
    expect(JSON.stringify(stored)).not.toContain('s3cret');
  });
});
