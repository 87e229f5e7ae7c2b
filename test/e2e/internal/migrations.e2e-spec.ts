import { Types } from 'mongoose';
import {
  addClinician,
  createClinic,
  findClinicDocument,
  insertClinicianRecord,
  newObjectId,
  seedClinician,
} from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import type { TestApp } from '../../support/test-app';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME } from '../clinics/expectations';

/** A complete clinic profile: what makes a legacy clinic ready to migrate (`canMigrate`). */
const COMPLETE_PROFILE = {
  name: 'Legacy Practice',
  preferredBgUnits: 'mg/dL',
  clinicType: 'provider_practice',
  address: '2 Elm St',
  city: 'Portland',
  state: 'OR',
  postalCode: '97201',
  country: 'US',
};

interface LegacyClinic {
  clinicId: string;
  admin: { userId: string; token: string };
}

/** A legacy clinician's empty clinic (EnableNewClinicExperience), with its profile completed unless asked not to. */
async function legacyClinic(t: TestApp, options: { complete?: boolean } = {}): Promise<LegacyClinic> {
  const user = await t.users.create({ roles: ['clinic'] });
  const res = await t.call<any>('POST', `/v1/clinicians/${user.userId}/migrate`, { token: await t.tokens.server() });
  if (res.status !== 200) throw new Error(`EnableNewClinicExperience answered ${res.status}: ${res.text}`);
  if (options.complete ?? true) {
    const updated = await t.call('PUT', `/v1/clinics/${res.body.id}`, { token: user.token, body: COMPLETE_PROFILE });
    if (updated.status !== 200) throw new Error(`UpdateClinic answered ${updated.status}: ${updated.text}`);
  }
  return { clinicId: res.body.id, admin: { userId: user.userId, token: user.token } };
}

function migrationDocuments(t: TestApp, filter: Record<string, unknown>): Promise<any[]> {
  return t.connection.collection('migrations').find(filter).toArray();
}

function clinicMigrations(t: TestApp, clinicId: string): Promise<any[]> {
  return migrationDocuments(t, { clinicId: new Types.ObjectId(clinicId) });
}

/** A migration stored directly (what an earlier run or legacy data left). */
async function insertMigration(
  t: TestApp,
  clinicId: string,
  userId: string,
  fields: { status?: string; createdTime?: Date } = {},
): Promise<void> {
  const time = fields.createdTime ?? new Date();
  await t.connection.collection('migrations').insertOne({
    clinicId: new Types.ObjectId(clinicId),
    userId,
    status: fields.status ?? 'PENDING',
    createdTime: time,
    updatedTime: time,
  });
}

describe('Migrations (behavior-clinics.md §1.17)', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  it('should keep one migration per legacy user with a unique index on userId', async () => {
    await createClinic(t); // makes sure the collections and their indexes exist
    const indexes = await t.connection.collection('migrations').indexes();
    expect(indexes).toEqual(expect.arrayContaining([expect.objectContaining({ key: { userId: 1 }, unique: true })]));
  });

  describe('TriggerInitialMigration — POST /v1/clinics/{clinicId}/migrate', () => {
    const trigger = (token: string | undefined, clinicId: string, body: unknown = { attestationSubmitted: true }) =>
      t.call<any>('POST', `/v1/clinics/${clinicId}/migrate`, { token, body });

    it('should deny servers, members, other clinics’ admins and plain users, writing nothing', async () => {
      const { clinicId } = await legacyClinic(t);
      const member = await seedClinician(t, clinicId, ['CLINIC_MEMBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => trigger(token, clinicId), {
        server,
        member: member.token,
        otherAdmin: other.admin.token,
        user: outsider.token,
      });
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(false);
    });

    it('should migrate the clinic: its single admin gets a PENDING migration and the clinic is marked migrated', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      const res = await trigger(admin.token, clinicId);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        userId: admin.userId,
        status: 'PENDING',
        createdTime: expect.stringMatching(ISO_DATE_TIME),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
      expect(await clinicMigrations(t, clinicId)).toEqual([
        expect.objectContaining({
          clinicId: new Types.ObjectId(clinicId),
          userId: admin.userId,
          status: 'PENDING',
          createdTime: new Date(res.body.createdTime),
          updatedTime: new Date(res.body.updatedTime),
        }),
      ]);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(true);
      const clinic = await t.call<any>('GET', `/v1/clinics/${clinicId}`, { token: admin.token });
      expect(clinic.body.canMigrate).toBe(false);
    });

    it('should answer 422 "clinic is already migrated" the second time, leaving the one migration', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      expect((await trigger(admin.token, clinicId)).status).toBe(200);
      expectError(await trigger(admin.token, clinicId), 422, 'constraint violation: clinic is already migrated');
      expect(await clinicMigrations(t, clinicId)).toHaveLength(1);

      // A clinic created migrated (CreateClinic) is refused the same way.
      const created = await createClinic(t);
      expectError(
        await trigger(created.admin.token, created.clinicId),
        422,
        'constraint violation: clinic is already migrated',
      );
      expect(await clinicMigrations(t, created.clinicId)).toEqual([]);
    });

    it('should answer 422 "incomplete clinic profile" before the profile is complete, writing nothing', async () => {
      const { clinicId, admin } = await legacyClinic(t, { complete: false });
      expectError(await trigger(admin.token, clinicId), 422, 'constraint violation: incomplete clinic profile');
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(false);
    });

    it('should answer 500 for an unmigrated clinic with several admins (only legacy data has one), writing nothing', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      await seedClinician(t, clinicId, ['CLINIC_ADMIN']);
      expectError(await trigger(admin.token, clinicId), 500, 'Internal Server Error');
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(false);
    });

    it('should answer 404 "not found" when the admin is no user, and 422 when the admin is not a clinician', async () => {
      const ghost = await legacyClinic(t);
      await t.connection
        .collection('clinics')
        .updateOne({ _id: new Types.ObjectId(ghost.clinicId) }, { $set: { admins: ['0123456789'] } });
      expectError(await trigger(ghost.admin.token, ghost.clinicId), 404, 'not found');

      const patientAdmin = await legacyClinic(t);
      const patient = await t.users.create({ roles: [] });
      await t.connection
        .collection('clinics')
        .updateOne({ _id: new Types.ObjectId(patientAdmin.clinicId) }, { $set: { admins: [patient.userId] } });
      expectError(
        await trigger(patientAdmin.admin.token, patientAdmin.clinicId),
        422,
        `constraint violation: user ${patient.userId} is not clinician`,
      );

      for (const clinicId of [ghost.clinicId, patientAdmin.clinicId]) {
        expect(await clinicMigrations(t, clinicId)).toEqual([]);
        expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(false);
      }
    });

    it('should answer 409 "migration duplicate" when the admin already has a migration in another clinic', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      const elsewhere = newObjectId();
      await insertMigration(t, elsewhere, admin.userId);

      expectError(await trigger(admin.token, clinicId), 409, 'migration duplicate');
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
      expect(await migrationDocuments(t, { userId: admin.userId })).toHaveLength(1);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(false);
    });

    it('should finish an interrupted migration: the admin’s migration is in place but the clinic not marked', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      const createdTime = new Date(Date.now() - 60_000);
      await insertMigration(t, clinicId, admin.userId, { createdTime });

      const res = await trigger(admin.token, clinicId);

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        userId: admin.userId,
        status: 'PENDING',
        createdTime: createdTime.toISOString(),
        updatedTime: createdTime.toISOString(),
      });
      expect(await migrationDocuments(t, { userId: admin.userId })).toHaveLength(1);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(true);
    });

    it('should answer 400 for a malformed body, writing nothing', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      expectValidationError(
        await trigger(admin.token, clinicId, { attestationSubmitted: 'yes' }),
        'attestationSubmitted',
      );
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(false);
      // The body is optional.
      expect((await t.call('POST', `/v1/clinics/${clinicId}/migrate`, { token: admin.token })).status).toBe(200);
    });

    it('should answer 404 "clinic not found" to an admin record whose clinic is gone', async () => {
      const clinicId = newObjectId();
      const admin = await seedClinician(t, clinicId, ['CLINIC_ADMIN']);
      expectError(await trigger(admin.token, clinicId), 404, 'clinic not found');
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
    });

    it('should migrate once when triggered concurrently', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      const responses = await Promise.all(Array.from({ length: 5 }, () => trigger(admin.token, clinicId)));
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses).toEqual([200, 422, 422, 422, 422]);
      for (const res of responses.filter((r) => r.status === 422)) {
        expectError(res, 422, 'constraint violation: clinic is already migrated');
      }
      expect(await clinicMigrations(t, clinicId)).toHaveLength(1);
      expect((await findClinicDocument(t, clinicId)).isMigrated).toBe(true);
    });
  });

  describe('MigrateLegacyClinicianPatients — POST /v1/clinics/{clinicId}/migrations', () => {
    const migrate = (token: string | undefined, clinicId: string, body: unknown) =>
      t.call<any>('POST', `/v1/clinics/${clinicId}/migrations`, { token, body });

    it('should deny everyone but servers, the clinic’s admin included, writing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const outsider = await t.users.create();
      await expectDenials((token) => migrate(token, clinicId, { userId: member.userId }), {
        admin: admin.token,
        member: member.token,
        user: outsider.token,
      });
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
    });

    it('should answer 200 with a PENDING migration of a clinician of a migrated clinic', async () => {
      const { clinicId } = await createClinic(t);
      const clinician = await addClinician(t, clinicId, ['CLINIC_MEMBER']);

      const res = await migrate(server, clinicId, { userId: clinician.userId });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        userId: clinician.userId,
        status: 'PENDING',
        createdTime: expect.stringMatching(ISO_DATE_TIME),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
      expect(await clinicMigrations(t, clinicId)).toEqual([
        expect.objectContaining({
          userId: clinician.userId,
          status: 'PENDING',
          createdTime: new Date(res.body.createdTime),
        }),
      ]);
    });

    it('should answer 422 "clinic is not migrated" for a clinic that is not migrated', async () => {
      const { clinicId, admin } = await legacyClinic(t);
      expectError(
        await migrate(server, clinicId, { userId: admin.userId }),
        422,
        'constraint violation: clinic is not migrated',
      );
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
    });

    it('should answer 404 for a missing clinic and for a user who is not its clinician', async () => {
      const { clinicId } = await createClinic(t);
      const stranger = await t.users.create();
      expectError(await migrate(server, newObjectId(), { userId: stranger.userId }), 404, 'clinic not found');
      expectError(await migrate(server, 'not-a-clinic', { userId: stranger.userId }), 404, 'clinic not found');
      expectError(await migrate(server, clinicId, { userId: stranger.userId }), 404, 'clinician not found');
      expect(await migrationDocuments(t, { userId: stranger.userId })).toEqual([]);
    });

    it('should answer 400 for a malformed body, writing nothing', async () => {
      const { clinicId } = await createClinic(t);
      const clinician = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      expectValidationError(await migrate(server, clinicId, {}), 'userId');
      expectValidationError(await migrate(server, clinicId, { userId: '' }), 'userId');
      expectValidationError(await migrate(server, clinicId, { userId: clinician.userId, status: 'DONE' }), 'status');
      expect(await clinicMigrations(t, clinicId)).toEqual([]);
    });

    it('should answer 409 "migration duplicate" when the user already has a migration, in any clinic', async () => {
      const first = await createClinic(t);
      const second = await createClinic(t);
      const clinician = await addClinician(t, first.clinicId, ['CLINIC_MEMBER']);
      await insertClinicianRecord(t, second.clinicId, { userId: clinician.userId, roles: ['CLINIC_MEMBER'] });

      expect((await migrate(server, first.clinicId, { userId: clinician.userId })).status).toBe(200);
      expectError(await migrate(server, first.clinicId, { userId: clinician.userId }), 409, 'migration duplicate');
      expectError(await migrate(server, second.clinicId, { userId: clinician.userId }), 409, 'migration duplicate');
      expect(await migrationDocuments(t, { userId: clinician.userId })).toEqual([
        expect.objectContaining({ clinicId: new Types.ObjectId(first.clinicId) }),
      ]);
    });

    it('should let exactly one of concurrent requests for the same user through, in one clinic or across clinics', async () => {
      const first = await createClinic(t);
      const second = await createClinic(t);
      const clinician = await addClinician(t, first.clinicId, ['CLINIC_MEMBER']);
      await insertClinicianRecord(t, second.clinicId, { userId: clinician.userId, roles: ['CLINIC_MEMBER'] });

      const responses = await Promise.all(
        [first, second, first, second, first, second].map(({ clinicId }) =>
          migrate(server, clinicId, { userId: clinician.userId }),
        ),
      );

      expect(responses.map((res) => res.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
      for (const res of responses.filter((r) => r.status === 409)) expectError(res, 409, 'migration duplicate');
      expect(await migrationDocuments(t, { userId: clinician.userId })).toHaveLength(1);
    });
  });

  describe('ListMigrations — GET /v1/clinics/{clinicId}/migrations', () => {
    const list = (token: string | undefined, clinicId: string) =>
      t.call<any>('GET', `/v1/clinics/${clinicId}/migrations`, { token });

    it('should deny prescribers, other clinics’ members and plain users', async () => {
      const { clinicId } = await createClinic(t);
      const prescriber = await seedClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => list(token, clinicId), {
        prescriber: prescriber.token,
        otherAdmin: other.admin.token,
        user: outsider.token,
      });
    });

    it('should answer [] when the clinic has none', async () => {
      const { clinicId, admin } = await createClinic(t);
      for (const token of [server, admin.token]) {
        const res = await list(token, clinicId);
        expect(res.status).toBe(200);
        expect(res.body).toEqual([]);
      }
    });

    it('should list the clinic’s migrations, oldest first, statuses upper-case, to servers and members', async () => {
      const { clinicId } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const [a, b, c] = await Promise.all([t.users.create(), t.users.create(), t.users.create()]);
      const base = Date.now() - 3_600_000;
      // Inserted out of order, one with a status stored lower-case by an older writer.
      await insertMigration(t, clinicId, b.userId, { createdTime: new Date(base + 2000), status: 'running' });
      await insertMigration(t, clinicId, c.userId, { createdTime: new Date(base + 3000), status: 'COMPLETED' });
      await insertMigration(t, clinicId, a.userId, { createdTime: new Date(base + 1000) });
      await insertMigration(t, newObjectId(), member.userId); // another clinic's

      for (const token of [server, member.token]) {
        const res = await list(token, clinicId);
        expect(res.status).toBe(200);
        expect(res.body).toEqual([
          {
            userId: a.userId,
            status: 'PENDING',
            createdTime: new Date(base + 1000).toISOString(),
            updatedTime: new Date(base + 1000).toISOString(),
          },
          {
            userId: b.userId,
            status: 'RUNNING',
            createdTime: new Date(base + 2000).toISOString(),
            updatedTime: new Date(base + 2000).toISOString(),
          },
          {
            userId: c.userId,
            status: 'COMPLETED',
            createdTime: new Date(base + 3000).toISOString(),
            updatedTime: new Date(base + 3000).toISOString(),
          },
        ]);
      }
    });

    it('should answer 404 "clinic not found" for a missing clinic, whatever its id looks like', async () => {
      for (const clinicId of [newObjectId(), 'not-a-clinic']) {
        expectError(await list(server, clinicId), 404, 'clinic not found');
      }
    });
  });

  describe('GetMigration — GET /v1/clinics/{clinicId}/migrations/{userId}', () => {
    const get = (token: string | undefined, clinicId: string, userId: string) =>
      t.call<any>('GET', `/v1/clinics/${clinicId}/migrations/${userId}`, { token });

    it('should deny prescribers, other clinics’ members and plain users', async () => {
      const { clinicId } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      await insertMigration(t, clinicId, member.userId);
      const prescriber = await seedClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => get(token, clinicId, member.userId), {
        prescriber: prescriber.token,
        otherAdmin: other.admin.token,
        user: outsider.token,
      });
    });

    it('should answer the migration to servers and to any member', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const migrated = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const created = await t.call<any>('POST', `/v1/clinics/${clinicId}/migrations`, {
        token: server,
        body: { userId: migrated.userId },
      });
      expect(created.status).toBe(200);
      for (const token of [server, admin.token, member.token, migrated.token]) {
        const res = await get(token, clinicId, migrated.userId);
        expect(res.status).toBe(200);
        expect(res.body).toEqual(created.body);
      }
    });

    it('should answer 404 "migration not found" when the user has none in this clinic', async () => {
      const { clinicId } = await createClinic(t);
      const elsewhere = await t.users.create();
      await insertMigration(t, newObjectId(), elsewhere.userId);
      const none = await t.users.create();
      expectError(await get(server, clinicId, elsewhere.userId), 404, 'migration not found');
      expectError(await get(server, clinicId, none.userId), 404, 'migration not found');
    });

    it('should answer 400 for a malformed clinic or user id', async () => {
      const user = await t.users.create();
      expectValidationError(await get(server, 'not-a-clinic', user.userId), 'clinicId');
      expectValidationError(await get(server, newObjectId(), 'not-a-user'), 'userId');
    });
  });

  describe('UpdateMigration — PATCH /v1/clinics/{clinicId}/migrations/{userId}', () => {
    const update = (token: string | undefined, clinicId: string, userId: string, body: unknown) =>
      t.call<any>('PATCH', `/v1/clinics/${clinicId}/migrations/${userId}`, { token, body });

    it('should deny everyone but servers, the migrated user and the clinic’s admin included, changing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      await insertMigration(t, clinicId, member.userId);
      const outsider = await t.users.create();
      await expectDenials((token) => update(token, clinicId, member.userId, { status: 'COMPLETED' }), {
        self: member.token,
        admin: admin.token,
        user: outsider.token,
      });
      expect(await clinicMigrations(t, clinicId)).toEqual([expect.objectContaining({ status: 'PENDING' })]);
    });

    it('should set the status and move updatedTime, also when the status stays the same', async () => {
      const { clinicId } = await createClinic(t);
      const clinician = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const created = await t.call<any>('POST', `/v1/clinics/${clinicId}/migrations`, {
        token: server,
        body: { userId: clinician.userId },
      });

      const running = await update(server, clinicId, clinician.userId, { status: 'RUNNING' });
      expect(running.status).toBe(200);
      expect(running.body).toEqual({
        ...created.body,
        status: 'RUNNING',
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
      expect(Date.parse(running.body.updatedTime)).toBeGreaterThan(Date.parse(created.body.updatedTime));

      const again = await update(server, clinicId, clinician.userId, { status: 'RUNNING' });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('RUNNING');
      expect(Date.parse(again.body.updatedTime)).toBeGreaterThan(Date.parse(running.body.updatedTime));

      expect(await clinicMigrations(t, clinicId)).toEqual([
        expect.objectContaining({
          userId: clinician.userId,
          status: 'RUNNING',
          createdTime: new Date(created.body.createdTime),
          updatedTime: new Date(again.body.updatedTime),
        }),
      ]);
    });

    it('should answer 404 "migration not found" when the clinic has no migration of the user', async () => {
      const { clinicId } = await createClinic(t);
      const elsewhere = await t.users.create();
      await insertMigration(t, newObjectId(), elsewhere.userId);
      expectError(
        await update(server, clinicId, elsewhere.userId, { status: 'COMPLETED' }),
        404,
        'migration not found',
      );
      expect(await migrationDocuments(t, { userId: elsewhere.userId })).toEqual([
        expect.objectContaining({ status: 'PENDING' }),
      ]);
    });

    it('should answer 400 for a missing or unknown status, or malformed ids, changing nothing', async () => {
      const { clinicId } = await createClinic(t);
      const clinician = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      await insertMigration(t, clinicId, clinician.userId);
      expectValidationError(await update(server, clinicId, clinician.userId, {}), 'status');
      expectValidationError(await update(server, clinicId, clinician.userId, { status: 'completed' }), 'status');
      expectValidationError(await update(server, 'not-a-clinic', clinician.userId, { status: 'RUNNING' }), 'clinicId');
      expect(await clinicMigrations(t, clinicId)).toEqual([expect.objectContaining({ status: 'PENDING' })]);
    });
  });
});
