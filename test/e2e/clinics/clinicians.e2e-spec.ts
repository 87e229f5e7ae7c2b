import { Types } from 'mongoose';
import { CliniciansRepository } from '../../../src/modules/clinics/clinicians/clinicians.repository';
import {
  addClinician,
  addInvite,
  createClinic,
  CreatedClinic,
  findClinicDocument,
  findClinicianDocuments,
  newInviteKey,
  newObjectId,
} from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectAdminsConsistent, expectDenials, ISO_DATE_TIME } from './expectations';

const INVITE_KEY = newInviteKey();
const OTHER_INVITE_KEY = newInviteKey();

describe('clinicians: ListClinicians, CreateClinician, GetClinician, UpdateClinician, DeleteClinician', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const clinicianDocument = (clinicId: string, userId: string) =>
    t.connection.collection('clinicians').findOne({ clinicId: new Types.ObjectId(clinicId), userId });

  describe('ListClinicians — GET /v1/clinics/{clinicId}/clinicians', () => {
    let created: CreatedClinic;
    let member: Awaited<ReturnType<typeof addClinician>>;
    let prescriber: Awaited<ReturnType<typeof addClinician>>;
    let invite: { inviteId: string; email: string };

    beforeAll(async () => {
      created = await createClinic(t);
      member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER'], {
        name: 'Grace O’Malley (RN)',
        email: 'grace.omalley@Hospital.example',
      });
      prescriber = await addClinician(t, created.clinicId, ['PRESCRIBER', 'CLINIC_MEMBER'], {
        name: 'Alan Turing',
        email: 'alan@turing.example',
      });
      invite = await addInvite(t, created.clinicId, ['CLINIC_ADMIN'], 'New.Person@Example.org');
    });

    const list = (
      token: string | undefined,
      query: Record<string, string | number> = {},
      clinicId = created.clinicId,
    ) => t.call<any[]>('GET', `/v1/clinics/${clinicId}/clinicians`, { token, query });

    it('should deny non-members, prescribers without membership and other clinics’ members', async () => {
      // A clinic of its own, so the listed clinic keeps exactly its four records.
      const own = await createClinic(t);
      const prescriberOnly = await addClinician(t, own.clinicId, ['PRESCRIBER']);
      const outsider = await t.users.create();
      await expectDenials((token) => list(token, {}, own.clinicId), {
        prescriberOnly: prescriberOnly.token,
        otherAdmin: created.admin.token,
        user: outsider.token,
      });
    });

    it('should list members and pending invites, newest first, for members and servers', async () => {
      for (const token of [member.token, created.admin.token, server]) {
        const res = await list(token);
        expect(res.status).toBe(200);
        expect(res.body.map((clinician) => clinician.id ?? clinician.inviteId)).toEqual([
          invite.inviteId,
          prescriber.userId,
          member.userId,
          created.admin.userId,
        ]);
      }
      const res = await list(server);
      expect(res.body[0]).toEqual({
        inviteId: invite.inviteId,
        email: 'new.person@example.org',
        roles: ['CLINIC_ADMIN'],
        createdTime: expect.stringMatching(ISO_DATE_TIME),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
      expect(res.body[3]).toEqual({
        id: created.admin.userId,
        email: created.admin.email.toLowerCase(),
        name: created.admin.fullName,
        roles: ['CLINIC_ADMIN'],
        createdTime: expect.stringMatching(ISO_DATE_TIME),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
    });

    it('should paginate', async () => {
      const res = await list(server, { offset: 1, limit: 2 });
      expect(res.body.map((clinician) => clinician.id)).toEqual([prescriber.userId, member.userId]);
    });

    it('should search names and e-mails case-insensitively by substring, taking the text literally', async () => {
      const ids = async (search: string) =>
        (await list(server, { search })).body.map((clinician) => clinician.id ?? clinician.inviteId);
      expect(await ids('o’malley (rn')).toEqual([member.userId]);
      expect(await ids('TURING')).toEqual([prescriber.userId]);
      expect(await ids('@hospital.EXAMPLE')).toEqual([member.userId]);
      expect(await ids('new.person')).toEqual([invite.inviteId]);
      expect(await ids('.*')).toEqual([]);
      expect(await ids('a')).toHaveLength(4);
    });

    it('should filter by e-mail (lower-cased, exact) and by role', async () => {
      const byEmail = await list(server, { email: 'Grace.OMalley@hospital.example' });
      expect(byEmail.body.map((clinician) => clinician.id)).toEqual([member.userId]);
      expect((await list(server, { email: 'grace@hospital.example' })).body).toEqual([]);
      const admins = await list(server, { role: 'CLINIC_ADMIN' });
      expect(admins.body.map((clinician) => clinician.id ?? clinician.inviteId)).toEqual([
        invite.inviteId,
        created.admin.userId,
      ]);
      const combined = await list(server, { role: 'CLINIC_MEMBER', search: 'alan' });
      expect(combined.body.map((clinician) => clinician.id)).toEqual([prescriber.userId]);
    });

    it('should reject invalid query parameters with field details', async () => {
      expectValidationError(await list(server, { limit: 0 }), 'limit');
      expectValidationError(await list(server, { offset: -3 }), 'offset');
      expectValidationError(await list(server, { email: 'not-an-email' }), 'email');
      expectValidationError(await list(server, {}, 'nope'), 'clinicId');
    });

    it('should answer 404 "clinic not found" for an unknown clinic', async () => {
      expectError(await list(server, {}, newObjectId()), 404, 'clinic not found');
    });
  });

  describe('CreateClinician — POST /v1/clinics/{clinicId}/clinicians', () => {
    let created: CreatedClinic;

    beforeEach(async () => {
      created = await createClinic(t);
    });

    const create = (token: string | undefined, body: unknown, clinicId = created.clinicId) =>
      t.call<any>('POST', `/v1/clinics/${clinicId}/clinicians`, { token, body });

    it('should deny everyone but servers, the clinic’s admin included', async () => {
      const outsider = await t.users.create();
      await expectDenials((token) => create(token, { email: 'x@example.com', roles: ['CLINIC_MEMBER'] }), {
        admin: created.admin.token,
        user: outsider.token,
      });
      expect(await findClinicianDocuments(t, created.clinicId)).toHaveLength(1);
    });

    it('should create a member record with a lower-cased e-mail', async () => {
      const user = await t.users.create();
      const res = await create(server, {
        id: user.userId,
        email: 'Mixed.Case@Example.com',
        name: 'Mia',
        roles: ['CLINIC_MEMBER'],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.userId,
        email: 'mixed.case@example.com',
        name: 'Mia',
        roles: ['CLINIC_MEMBER'],
        createdTime: expect.stringMatching(ISO_DATE_TIME),
        updatedTime: res.body.createdTime,
      });
      expect(await clinicianDocument(created.clinicId, user.userId)).toMatchObject({
        email: 'mixed.case@example.com',
        name: 'Mia',
        nameKey: 'mia',
        memberKey: `${created.clinicId}:${user.userId}`,
        emailKey: `${created.clinicId}:mixed.case@example.com`,
      });
      expect((await findClinicDocument(t, created.clinicId)).admins).toEqual([created.admin.userId]);
    });

    it('should create an invite record, and list an admin member in `admins`', async () => {
      const invite = await create(server, {
        inviteId: INVITE_KEY,
        email: 'invitee@example.com',
        roles: ['CLINIC_ADMIN'],
      });
      expect(invite.status).toBe(200);
      expect(invite.body).toMatchObject({
        inviteId: INVITE_KEY,
        email: 'invitee@example.com',
        roles: ['CLINIC_ADMIN'],
      });
      expect(invite.body).not.toHaveProperty('id');
      const stored = await t.connection
        .collection('clinicians')
        .findOne({ inviteKey: `${created.clinicId}:${INVITE_KEY}` });
      expect(stored).toMatchObject({ inviteId: INVITE_KEY, name: null });
      expect(stored!.memberKey).toBeUndefined();

      const admin = await t.users.create();
      expect((await create(server, { id: admin.userId, email: admin.emails[0], roles: ['CLINIC_ADMIN'] })).status).toBe(
        200,
      );
      expect((await findClinicDocument(t, created.clinicId)).admins).toEqual([created.admin.userId, admin.userId]);
      await expectAdminsConsistent(t, created.clinicId);
    });

    it('should refuse a second record for the same user, invite or e-mail with 409', async () => {
      const user = await t.users.create();
      expect(
        (await create(server, { id: user.userId, email: 'first@example.com', roles: ['CLINIC_MEMBER'] })).status,
      ).toBe(200);
      expect(
        (await create(server, { inviteId: INVITE_KEY, email: 'invited@example.com', roles: ['CLINIC_MEMBER'] })).status,
      ).toBe(200);
      const duplicates = [
        { id: user.userId, email: 'other@example.com', roles: ['CLINIC_MEMBER'] },
        { email: 'FIRST@example.com', roles: ['CLINIC_MEMBER'] },
        { inviteId: INVITE_KEY, email: 'new@example.com', roles: ['CLINIC_MEMBER'] },
      ];
      for (const body of duplicates) {
        expectError(await create(server, body), 409, 'duplicate: clinician is already a member of the clinic');
      }
      expect(
        await t.connection
          .collection('clinicians')
          .countDocuments({ clinicId: new Types.ObjectId(created.clinicId), email: 'new@example.com' }),
      ).toBe(0);
    });

    it('should let exactly one of 10 concurrent creations with the same e-mail succeed', async () => {
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          create(server, { inviteId: newInviteKey(), email: 'Race@Example.com', roles: ['CLINIC_MEMBER'] }),
        ),
      );
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses).toEqual([200, ...Array(9).fill(409)]);
      for (const res of responses.filter((response) => response.status === 409)) {
        expectError(res, 409, 'duplicate: clinician is already a member of the clinic');
      }
      const records = await t.connection
        .collection('clinicians')
        .find({ clinicId: new Types.ObjectId(created.clinicId), email: 'race@example.com' })
        .toArray();
      expect(records).toHaveLength(1);
    });

    it('should answer 409 from the unique indexes when the duplicate pre-check is passed', async () => {
      const repository = t.app.get(CliniciansRepository);
      const user = await t.users.create();
      expect(
        (await create(server, { id: user.userId, email: 'indexed@example.com', roles: ['CLINIC_MEMBER'] })).status,
      ).toBe(200);
      const spy = jest.spyOn(repository, 'hasDuplicate').mockResolvedValue(false);
      try {
        for (const body of [
          { id: user.userId, email: 'another@example.com', roles: ['CLINIC_MEMBER'] },
          { inviteId: OTHER_INVITE_KEY, email: 'INDEXED@example.com', roles: ['CLINIC_MEMBER'] },
        ]) {
          expectError(await create(server, body), 409, 'duplicate: clinician is already a member of the clinic');
        }
      } finally {
        spy.mockRestore();
      }
      expect(
        await t.connection.collection('clinicians').countDocuments({
          clinicId: new Types.ObjectId(created.clinicId),
          email: { $in: ['indexed@example.com', 'another@example.com'] },
        }),
      ).toBe(1);
    });

    it('should reject invalid bodies with field details and write nothing', async () => {
      const before = await findClinicianDocuments(t, created.clinicId);
      const cases: Array<[unknown, string[]]> = [
        [{}, ['email', 'roles']],
        [{ email: 'not-an-email', roles: ['CLINIC_MEMBER'] }, ['email']],
        [{ email: 'a@example.com', roles: [] }, ['roles']],
        [{ email: 'a@example.com', roles: ['OWNER'] }, ['roles']],
        [{ email: 'a@example.com', roles: ['CLINIC_MEMBER', 'CLINIC_MEMBER'] }, ['roles']],
        [{ id: 'NOT-A-USER', email: 'a@example.com', roles: ['CLINIC_MEMBER'] }, ['id']],
        [{ email: 'a@example.com', roles: ['CLINIC_MEMBER'], name: '' }, ['name']],
      ];
      for (const [body, fields] of cases) expectValidationError(await create(server, body), ...fields);
      expect(await findClinicianDocuments(t, created.clinicId)).toHaveLength(before.length);
    });

    it('should answer 404 for an unknown clinic and 422 for an unmigrated one', async () => {
      expectError(
        await create(server, { email: 'a@example.com', roles: ['CLINIC_MEMBER'] }, newObjectId()),
        404,
        'clinic not found',
      );
      const legacy = await createClinic(t);
      await t.connection
        .collection('clinics')
        .updateOne({ _id: new Types.ObjectId(legacy.clinicId) }, { $set: { isMigrated: false } });
      expectError(
        await create(server, { email: 'a@example.com', roles: ['CLINIC_MEMBER'] }, legacy.clinicId),
        422,
        'constraint violation: clinic is not migrated',
      );
      expect(await findClinicianDocuments(t, legacy.clinicId)).toHaveLength(1);
    });
  });

  describe('GetClinician — GET /v1/clinics/{clinicId}/clinicians/{clinicianId}', () => {
    let created: CreatedClinic;
    let member: Awaited<ReturnType<typeof addClinician>>;

    beforeAll(async () => {
      created = await createClinic(t);
      member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER'], { name: 'Member One' });
    });

    const get = (token: string | undefined, clinicianId: string, clinicId = created.clinicId) =>
      t.call<any>('GET', `/v1/clinics/${clinicId}/clinicians/${clinicianId}`, { token });

    it('should deny non-members and other clinics’ members', async () => {
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => get(token, member.userId), {
        otherAdmin: other.admin.token,
        user: outsider.token,
      });
    });

    it('should answer the clinician for members and servers', async () => {
      for (const token of [member.token, created.admin.token, server]) {
        const res = await get(token, member.userId);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          id: member.userId,
          email: member.email.toLowerCase(),
          name: 'Member One',
          roles: ['CLINIC_MEMBER'],
          createdTime: expect.stringMatching(ISO_DATE_TIME),
          updatedTime: expect.stringMatching(ISO_DATE_TIME),
        });
      }
    });

    it('should reject malformed ids', async () => {
      expectValidationError(await get(server, 'NOT-A-USER'), 'clinicianId');
    });

    it('should answer 404 "clinician not found"', async () => {
      expectError(await get(server, '0123456789'), 404, 'clinician not found');
      expectError(await get(server, member.userId, newObjectId()), 404, 'clinician not found');
    });
  });

  describe('UpdateClinician — PUT /v1/clinics/{clinicId}/clinicians/{clinicianId}', () => {
    let created: CreatedClinic;
    let member: Awaited<ReturnType<typeof addClinician>>;

    beforeEach(async () => {
      created = await createClinic(t);
      member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER'], { name: 'Old Name' });
    });

    const update = (token: string | undefined, clinicianId: string, body: unknown, clinicId = created.clinicId) =>
      t.call<any>('PUT', `/v1/clinics/${clinicId}/clinicians/${clinicianId}`, { token, body });

    it('should deny members (even for their own record), plain users and other clinics’ admins', async () => {
      const other = await createClinic(t);
      const outsider = await t.users.create();
      const body = { email: 'x@example.com', roles: ['CLINIC_ADMIN'] };
      await expectDenials((token) => update(token, member.userId, body), {
        self: member.token,
        otherAdmin: other.admin.token,
        user: outsider.token,
      });
      expect((await clinicianDocument(created.clinicId, member.userId))!.roles).toEqual(['CLINIC_MEMBER']);
    });

    it('should promote a member, record who changed the roles and list the new admin', async () => {
      const before = await clinicianDocument(created.clinicId, member.userId);
      const res = await update(created.admin.token, member.userId, {
        email: 'ignored@example.com',
        name: 'New Name',
        roles: ['CLINIC_ADMIN'],
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: member.userId,
        email: member.email.toLowerCase(),
        name: 'New Name',
        roles: ['CLINIC_ADMIN'],
        createdTime: before!.createdTime.toISOString(),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
      const stored = await clinicianDocument(created.clinicId, member.userId);
      expect(stored).toMatchObject({
        name: 'New Name',
        nameKey: 'new name',
        email: member.email.toLowerCase(),
        roles: ['CLINIC_ADMIN'],
        rolesUpdates: [{ roles: ['CLINIC_ADMIN'], updatedBy: created.admin.userId }],
      });
      expect(stored!.updatedTime.getTime()).toBeGreaterThan(before!.updatedTime.getTime());
      expect(await expectAdminsConsistent(t, created.clinicId)).toEqual([created.admin.userId, member.userId].sort());
    });

    /** The member made an admin by the clinic's admin, as the promotion test does. */
    const promote = async () => {
      const res = await update(created.admin.token, member.userId, {
        email: 'x@example.com',
        name: 'Old Name',
        roles: ['CLINIC_ADMIN'],
      });
      expect(res.status).toBe(200);
    };

    it('should clear the name when it is omitted and not record unchanged roles', async () => {
      await promote();
      expect((await clinicianDocument(created.clinicId, member.userId))!.name).toBe('Old Name');
      const res = await update(server, member.userId, { email: 'x@example.com', roles: ['CLINIC_ADMIN'] });
      expect(res.status).toBe(200);
      expect(res.body).not.toHaveProperty('name');
      const stored = await clinicianDocument(created.clinicId, member.userId);
      expect(stored!.name).toBeNull();
      expect(stored!.nameKey).toBeUndefined();
      expect(stored!.rolesUpdates).toHaveLength(1);
    });

    it('should demote an admin while another admin remains, recording the server as the changer', async () => {
      await promote();
      const res = await update(server, member.userId, {
        email: 'x@example.com',
        roles: ['CLINIC_MEMBER', 'PRESCRIBER'],
      });
      expect(res.status).toBe(200);
      const stored = await clinicianDocument(created.clinicId, member.userId);
      expect(stored!.rolesUpdates).toEqual([
        { roles: ['CLINIC_ADMIN'], updatedBy: created.admin.userId },
        { roles: ['CLINIC_MEMBER', 'PRESCRIBER'], updatedBy: 'orca' },
      ]);
      expect(await expectAdminsConsistent(t, created.clinicId)).toEqual([created.admin.userId]);
    });

    it('should refuse to demote the last admin with 422, changing nothing', async () => {
      const before = await clinicianDocument(created.clinicId, created.admin.userId);
      const res = await update(created.admin.token, created.admin.userId, {
        email: 'x@example.com',
        roles: ['CLINIC_MEMBER'],
      });
      expectError(res, 422, 'constraint violation: the clinic must have at least one admin');
      expect(await clinicianDocument(created.clinicId, created.admin.userId)).toEqual(before);
      expect(await expectAdminsConsistent(t, created.clinicId)).toEqual([created.admin.userId]);
    });

    it('should reject invalid bodies with field details and change nothing', async () => {
      const before = await clinicianDocument(created.clinicId, member.userId);
      const cases: Array<[unknown, string[]]> = [
        [{ roles: ['CLINIC_MEMBER'] }, ['email']],
        [{ email: 'x@example.com' }, ['roles']],
        [{ email: 'x@example.com', roles: ['BOSS'] }, ['roles']],
        [{ email: 'x@example.com', roles: ['CLINIC_MEMBER'], name: 5 }, ['name']],
      ];
      for (const [body, fields] of cases) expectValidationError(await update(server, member.userId, body), ...fields);
      expectValidationError(
        await update(server, 'nope', { email: 'x@example.com', roles: ['CLINIC_MEMBER'] }),
        'clinicianId',
      );
      expect(await clinicianDocument(created.clinicId, member.userId)).toEqual(before);
    });

    it('should answer 404 for an unknown clinician or clinic and 422 for an unmigrated clinic', async () => {
      const body = { email: 'x@example.com', roles: ['CLINIC_MEMBER'] };
      expectError(await update(server, '0123456789', body), 404, 'clinician not found');
      expectError(await update(server, member.userId, body, newObjectId()), 404, 'clinic not found');
      const legacy = await createClinic(t);
      await t.connection
        .collection('clinics')
        .updateOne({ _id: new Types.ObjectId(legacy.clinicId) }, { $set: { isMigrated: false } });
      expectError(
        await update(server, legacy.admin.userId, body, legacy.clinicId),
        422,
        'constraint violation: clinic is not migrated',
      );
    });
  });

  describe('DeleteClinician — DELETE /v1/clinics/{clinicId}/clinicians/{clinicianId}', () => {
    let created: CreatedClinic;

    beforeEach(async () => {
      created = await createClinic(t);
    });

    const remove = (token: string | undefined, clinicianId: string, clinicId = created.clinicId) =>
      t.call('DELETE', `/v1/clinics/${clinicId}/clinicians/${clinicianId}`, { token });
    const archiveOf = (id: Types.ObjectId) => t.connection.collection('clinician_deletions').findOne({ _id: id });

    it('should deny members removing someone else, prescribers removing themselves and outsiders', async () => {
      const member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
      const colleague = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
      const prescriber = await addClinician(t, created.clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => remove(token, colleague.userId), {
        member: member.token,
        otherAdmin: other.admin.token,
        user: outsider.token,
      });
      expectError(await remove(prescriber.token, prescriber.userId), 403);
      expect(await clinicianDocument(created.clinicId, colleague.userId)).not.toBeNull();
      expect(await clinicianDocument(created.clinicId, prescriber.userId)).not.toBeNull();
    });

    it('should let a member remove themself, archiving the record with who deleted it', async () => {
      const member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
      const before = await clinicianDocument(created.clinicId, member.userId);
      const res = await remove(member.token, member.userId);
      expect(res.status).toBe(200);
      expect(res.text).toBe('');
      expect(await clinicianDocument(created.clinicId, member.userId)).toBeNull();
      expect(await archiveOf(before!._id)).toEqual({
        _id: before!._id,
        deletedTime: expect.any(Date),
        deletedByUserId: member.userId,
        clinician: before,
      });
    });

    it('should let admins and servers remove clinicians, including another admin', async () => {
      const member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
      const secondAdmin = await addClinician(t, created.clinicId, ['CLINIC_ADMIN']);
      expect((await remove(created.admin.token, member.userId)).status).toBe(200);
      const before = await clinicianDocument(created.clinicId, secondAdmin.userId);
      expect((await remove(server, secondAdmin.userId)).status).toBe(200);
      expect((await archiveOf(before!._id))!.deletedByUserId).toBeUndefined();
      expect(await expectAdminsConsistent(t, created.clinicId)).toEqual([created.admin.userId]);
    });

    it('should refuse to delete the last admin with 422, changing nothing', async () => {
      const before = await clinicianDocument(created.clinicId, created.admin.userId);
      expectError(
        await remove(created.admin.token, created.admin.userId),
        422,
        'constraint violation: the clinic must have at least one admin',
      );
      expect(await clinicianDocument(created.clinicId, created.admin.userId)).toEqual(before);
      expect(await expectAdminsConsistent(t, created.clinicId)).toEqual([created.admin.userId]);
    });

    it('should reject malformed ids', async () => {
      expectValidationError(await remove(server, 'xyz'), 'clinicianId');
    });

    it('should answer 404 for an unknown clinician or clinic', async () => {
      expectError(await remove(server, '0123456789'), 404, 'clinician not found');
      expectError(await remove(server, created.admin.userId, newObjectId()), 404, 'clinic not found');
    });
  });
});
