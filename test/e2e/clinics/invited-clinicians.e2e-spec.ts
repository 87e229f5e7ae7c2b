import { Types } from 'mongoose';
import { addClinician, addInvite, createClinic, CreatedClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectAdminsConsistent, expectDenials, ISO_DATE_TIME } from './expectations';

describe('invited clinicians: GetInvitedClinician, AssociateClinicianToUser, DeleteInvitedClinician', () => {
  const t = useTestApp();
  let server: string;
  let created: CreatedClinic;

  beforeAll(async () => {
    server = await t.tokens.server();
  });
  beforeEach(async () => {
    created = await createClinic(t);
  });

  const url = (inviteId: string, clinicId = created.clinicId) =>
    `/v1/clinics/${clinicId}/invites/clinicians/${inviteId}/clinician`;
  const inviteDocument = (inviteId: string, clinicId = created.clinicId) =>
    t.connection.collection('clinicians').findOne({ clinicId: new Types.ObjectId(clinicId), inviteId });
  const setUnmigrated = async (clinicId: string) => {
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { isMigrated: false } });
  };

  /** Users of every kind except servers, who are the only callers allowed here. */
  const nonServers = async () => {
    const member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
    const outsider = await t.users.create();
    return { admin: created.admin.token, member: member.token, user: outsider.token };
  };

  describe('GetInvitedClinician — GET …/invites/clinicians/{inviteId}/clinician', () => {
    it('should deny everyone but servers', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      await expectDenials((token) => t.call('GET', url(inviteId), { token }), await nonServers());
    });

    it('should answer the invite’s clinician record', async () => {
      const { inviteId, email } = await addInvite(t, created.clinicId, ['CLINIC_ADMIN', 'PRESCRIBER']);
      const res = await t.call('GET', url(inviteId), { token: server });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        inviteId,
        email,
        roles: ['CLINIC_ADMIN', 'PRESCRIBER'],
        createdTime: expect.stringMatching(ISO_DATE_TIME),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
    });

    it('should answer 404 "clinician not found" for an unknown invite or another clinic’s invite', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      const other = await createClinic(t);
      expectError(await t.call('GET', url('nope'), { token: server }), 404, 'clinician not found');
      expectError(await t.call('GET', url(inviteId, other.clinicId), { token: server }), 404, 'clinician not found');
    });

    it('should reject a malformed clinic id', async () => {
      expectValidationError(await t.call('GET', url('x', 'bad'), { token: server }), 'clinicId');
    });
  });

  describe('AssociateClinicianToUser — PATCH …/invites/clinicians/{inviteId}/clinician', () => {
    const associate = (token: string | undefined, inviteId: string, body: unknown, clinicId = created.clinicId) =>
      t.call<any>('PATCH', url(inviteId, clinicId), { token, body });

    it('should deny everyone but servers', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      const user = await t.users.create();
      await expectDenials((token) => associate(token, inviteId, { userId: user.userId }), await nonServers());
      expect((await inviteDocument(inviteId))!.userId).toBeUndefined();
    });

    it('should turn the invite into the user’s membership, named after the user’s profile', async () => {
      const { inviteId, email } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      const user = await t.users.create({ fullName: 'Dr. Joined' });
      const before = await inviteDocument(inviteId);

      const res = await associate(server, inviteId, { userId: user.userId });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.userId,
        email,
        name: 'Dr. Joined',
        roles: ['CLINIC_MEMBER'],
        createdTime: before!.createdTime.toISOString(),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
      const stored = await t.connection.collection('clinicians').findOne({ _id: before!._id });
      expect(stored).toMatchObject({
        userId: user.userId,
        memberKey: `${created.clinicId}:${user.userId}`,
        emailKey: `${created.clinicId}:${email}`,
        name: 'Dr. Joined',
        nameKey: 'dr. joined',
      });
      expect(stored!.inviteId).toBeUndefined();
      expect(stored!.inviteKey).toBeUndefined();
      expectError(await associate(server, inviteId, { userId: user.userId }), 404, 'clinician not found');
    });

    it('should list an associated admin in `admins`', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_ADMIN']);
      const user = await t.users.create();
      expect((await associate(server, inviteId, { userId: user.userId })).status).toBe(200);
      expect(await expectAdminsConsistent(t, created.clinicId)).toContain(user.userId);
    });

    it('should answer 409 when the user is already a member of the clinic', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      const res = await associate(server, inviteId, { userId: created.admin.userId });
      expectError(res, 409, 'duplicate: clinician is already a member of the clinic');
      expect((await inviteDocument(inviteId))!.userId).toBeUndefined();
    });

    it('should reject invalid bodies with field details and change nothing', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      const before = await inviteDocument(inviteId);
      expectValidationError(await associate(server, inviteId, {}), 'userId');
      expectValidationError(await associate(server, inviteId, { userId: '' }), 'userId');
      expectValidationError(await associate(server, inviteId, { userId: 42 }), 'userId');
      expect(await inviteDocument(inviteId)).toEqual(before);
    });

    it('should answer 404 for an unknown invite or clinic and 422 for an unmigrated clinic', async () => {
      const user = await t.users.create();
      expectError(await associate(server, 'nope', { userId: user.userId }), 404, 'clinician not found');
      expectError(await associate(server, 'nope', { userId: user.userId }, newObjectId()), 404, 'clinic not found');
      const legacy = await createClinic(t);
      const { inviteId } = await addInvite(t, legacy.clinicId, ['CLINIC_MEMBER']);
      await setUnmigrated(legacy.clinicId);
      expectError(
        await associate(server, inviteId, { userId: user.userId }, legacy.clinicId),
        422,
        'constraint violation: clinic is not migrated',
      );
    });
  });

  describe('DeleteInvitedClinician — DELETE …/invites/clinicians/{inviteId}/clinician', () => {
    const remove = (token: string | undefined, inviteId: string, clinicId = created.clinicId) =>
      t.call('DELETE', url(inviteId, clinicId), { token });

    it('should deny everyone but servers', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      await expectDenials((token) => remove(token, inviteId), await nonServers());
      expect(await inviteDocument(inviteId)).not.toBeNull();
    });

    it('should delete the invite’s record without archiving it', async () => {
      const { inviteId } = await addInvite(t, created.clinicId, ['CLINIC_MEMBER']);
      const before = await inviteDocument(inviteId);
      const res = await remove(server, inviteId);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(await inviteDocument(inviteId)).toBeNull();
      expect(await t.connection.collection('clinician_deletions').findOne({ _id: before!._id })).toBeNull();
    });

    it('should answer 404 for an unknown invite, 404 for an unknown clinic and 422 for an unmigrated clinic', async () => {
      expectError(await remove(server, 'nope'), 404, 'clinician not found');
      expectError(await remove(server, 'nope', newObjectId()), 404, 'clinic not found');
      const legacy = await createClinic(t);
      const { inviteId } = await addInvite(t, legacy.clinicId, ['CLINIC_MEMBER']);
      await setUnmigrated(legacy.clinicId);
      expectError(await remove(server, inviteId, legacy.clinicId), 422, 'constraint violation: clinic is not migrated');
      expect(await inviteDocument(inviteId, legacy.clinicId)).not.toBeNull();
    });

    it('should reject a malformed clinic id', async () => {
      expectValidationError(await remove(server, 'x', 'bad'), 'clinicId');
    });
  });
});
