import type { Db } from 'mongodb';
import { Types } from 'mongoose';
import { databaseConfig } from '../../../src/config/database.config';
import { createClinic, findClinicDocument } from '../../support/builders';
import { testDatabaseUri, uniqueDatabaseName } from '../../support/test-database';
import { createTestApp, useTestApp } from '../../support/test-app';

/**
 * Patient changes that follow a tag or site change are recorded on the clinic before they are carried
 * out. One left half-done (the process died) is finished when the service starts again.
 */
describe('pending patient changes after a crash', () => {
  const t = useTestApp();

  const oid = () => new Types.ObjectId();
  const userId = (i: number) => (0x2000000000 + i).toString(16);

  /** A clinic caught half-way through five changes, in the database `db`. */
  async function seedHalfDone(db: Db) {
    const clinicId = oid();
    const [kept, removed, converted] = [oid(), oid(), oid()];
    const [renamed, source, target, deleted, fromTag] = [oid(), oid(), oid(), oid(), oid()];
    const now = new Date();
    const pending = [
      { id: oid(), kind: 'removeTag', tagId: removed },
      { id: oid(), kind: 'renameSite', siteId: renamed, name: 'Renamed' },
      { id: oid(), kind: 'mergeSite', siteId: source, target: { id: target, name: 'Target' } },
      { id: oid(), kind: 'removeSite', siteId: deleted },
      { id: oid(), kind: 'convertTag', tagId: converted, site: { id: fromTag, name: 'From Tag' } },
    ];
    // The clinic side of every change is already written (that and the record are one update).
    await db.collection('clinics').insertOne({
      _id: clinicId,
      name: 'Half Done',
      canonicalShareCode: `HALF-${clinicId.toHexString().slice(-4).toUpperCase()}-DONE`,
      shareCodes: [`HALF-${clinicId.toHexString().slice(-4).toUpperCase()}-DONE`],
      admins: [],
      patientTags: [{ _id: kept, name: 'Kept' }],
      sites: [
        { id: renamed, name: 'Renamed' },
        { id: target, name: 'Target' },
        { id: fromTag, name: 'From Tag' },
      ],
      lastDeletedPatientTag: converted,
      pendingPatientChanges: pending,
      createdTime: now,
      updatedTime: now,
    });
    const patient = (i: number, fields: Record<string, unknown>) => ({
      _id: oid(),
      clinicId,
      userId: userId(i),
      fullName: `Patient ${i}`,
      fullNameKey: `patient ${i}`,
      createdTime: now,
      updatedTime: now,
      ...fields,
    });
    await db.collection('patients').insertMany([
      // Already done before the crash: the removed tag is gone from this one.
      patient(1, { tags: [kept], sites: [{ id: renamed, name: 'Old Name' }] }),
      patient(2, {
        tags: [kept, removed],
        sites: [
          { id: renamed, name: 'Old Name' },
          { id: source, name: 'Source' },
        ],
      }),
      patient(3, {
        tags: [removed, converted],
        sites: [
          { id: target, name: 'Target' },
          { id: source, name: 'Source' },
        ],
      }),
      patient(4, { tags: [converted], sites: [{ id: deleted, name: 'Deleted' }] }),
      patient(5, { tags: null }),
    ]);
    return { clinicId, kept, removed, converted, renamed, source, target, deleted, fromTag };
  }

  const labels = async (db: Db, clinicId: Types.ObjectId) => {
    const docs = await db.collection('patients').find({ clinicId }).sort({ userId: 1 }).toArray();
    return docs.map((doc: any) => ({
      userId: doc.userId,
      tags: doc.tags === null || doc.tags === undefined ? doc.tags : doc.tags.map(String),
      sites: (doc.sites ?? []).map((site: any) => `${String(site.id)}:${site.name}`),
    }));
  };

  it('should finish a half-done cleanup when the service starts', async () => {
    const databaseName = uniqueDatabaseName();
    const db = t.connection.getClient().db(databaseName);
    const seeded = await seedHalfDone(db);
    const before = await labels(db, seeded.clinicId);
    console.log(`before start-up: ${JSON.stringify(before)}`);

    const restarted = await createTestApp({
      override: (builder) =>
        builder.overrideProvider(databaseConfig.KEY).useValue({
          uri: testDatabaseUri(),
          databaseName,
          timeoutMs: 5000,
          embeddedCacheDir: '.cache/ferretdb',
        } satisfies ReturnType<typeof databaseConfig>),
    });
    try {
      const after = await labels(db, seeded.clinicId);
      console.log(`after start-up: ${JSON.stringify(after)}`);
      const s = (id: Types.ObjectId, name: string) => `${id.toHexString()}:${name}`;
      expect(after).toEqual([
        { userId: userId(1), tags: [seeded.kept.toHexString()], sites: [s(seeded.renamed, 'Renamed')] },
        {
          userId: userId(2),
          tags: [seeded.kept.toHexString()],
          sites: [s(seeded.renamed, 'Renamed'), s(seeded.target, 'Target')],
        },
        { userId: userId(3), tags: [], sites: [s(seeded.target, 'Target'), s(seeded.fromTag, 'From Tag')] },
        { userId: userId(4), tags: [], sites: [s(seeded.fromTag, 'From Tag')] },
        { userId: userId(5), tags: null, sites: [] },
      ]);
      const clinic = await db.collection('clinics').findOne({ _id: seeded.clinicId });
      expect(clinic!.pendingPatientChanges).toEqual([]);
      expect(restarted.logs.some((line) => line.msg === 'finished pending patient changes')).toBe(true);

      // Filters on the removed tag match nobody now.
      const list = await restarted.call<any>('GET', `/v1/clinics/${seeded.clinicId.toHexString()}/patients`, {
        token: await restarted.tokens.server(),
        query: { tags: seeded.removed.toHexString() },
      });
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([]);
    } finally {
      await restarted.close();
    }
  });

  it('should finish a change left behind before the clinic’s next tag or site change', async () => {
    const { clinicId, admin } = await createClinic(t);
    const tagId = oid();
    const patientId = oid();
    await t.connection.collection('patients').insertOne({
      _id: patientId,
      clinicId: new Types.ObjectId(clinicId),
      userId: userId(9),
      tags: [tagId],
      createdTime: new Date(),
      updatedTime: new Date(),
    });
    await t.connection
      .collection('clinics')
      .updateOne(
        { _id: new Types.ObjectId(clinicId) },
        { $set: { pendingPatientChanges: [{ id: oid(), kind: 'removeTag', tagId }] } },
      );
    const res = await t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags`, {
      token: admin.token,
      body: { name: 'Next' },
    });
    expect(res.status).toBe(200);
    expect((await t.connection.collection('patients').findOne({ _id: patientId }))!.tags).toEqual([]);
    expect((await findClinicDocument(t, clinicId)).pendingPatientChanges).toEqual([]);
  });
});
