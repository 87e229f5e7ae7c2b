import { Types } from 'mongoose';
import { ScheduledOrdersExpiry } from '../../../src/modules/redox/scheduled-reports/scheduled-orders-expiry';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addCustodialPatient } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';
import { match, newOrder, orderRef, putEhrSettings, redoxApp, scenarioSettings, storeOrder } from './redox.fixtures';

const DAY_MS = 24 * 60 * 60 * 1000;
let counter = 0;

describe('SyncEHRData and SyncEHRDataForPatient', () => {
  const t = useTestApp(redoxApp());
  const scheduled = () => t.connection.collection('scheduledSummaryAndReportsOrders');
  const syncClinic = async (clinicId: string, token?: string) =>
    t.call('POST', `/v1/clinics/${clinicId}/ehr/sync`, { token: token ?? (await t.tokens.server()) });
  const syncPatient = async (userId: string, token?: string) =>
    t.call('POST', `/v1/patients/${userId}/ehr/sync`, { token: token ?? (await t.tokens.server()) });

  /** A Redox clinic with `count` patients; the first `subscribed` get an active subscription from their own order. */
  async function clinicWithSubscriptions(count: number, subscribed: number, settings: Record<string, unknown> = {}) {
    counter += 1;
    const sourceId = `sync-source-${Date.now().toString(36)}-${counter}`;
    const { clinicId, admin } = await createClinic(t);
    await putEhrSettings(t, clinicId, scenarioSettings({ sourceId, ...settings }));
    const patients: Array<{ userId: string; documentId?: string }> = [];
    for (let i = 0; i < count; i += 1) {
      const mrn = `${counter}-${i}`;
      const patient = await addCustodialPatient(t, clinicId, admin.token, {
        fullName: `Patient ${i}`,
        birthDate: '2008-01-06',
        mrn,
      });
      const entry: { userId: string; documentId?: string } = { userId: patient.id };
      if (i < subscribed) {
        const documentId = await storeOrder(t, newOrder({ sourceId, logId: `${sourceId}-${i}`, mrn }));
        const res = await match(t, {
          messageRef: orderRef(documentId),
          patients: { criteria: ['MRN'], onUniqueMatch: 'ENABLE_REPORTS' },
        });
        if (res.status !== 200 || res.body.patients.length !== 1) throw new Error(`match answered ${res.status}`);
        entry.documentId = documentId;
      }
      patients.push(entry);
    }
    return { clinicId, admin, sourceId, patients };
  }

  describe('SyncEHRData', () => {
    it('should deny everyone but servers', async () => {
      const { clinicId, admin } = await clinicWithSubscriptions(1, 1);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      await expectDenials((token) => t.call('POST', `/v1/clinics/${clinicId}/ehr/sync`, { token }), {
        admin: admin.token,
        member: member.token,
      });
      expect(await scheduled().countDocuments({ clinicId: new Types.ObjectId(clinicId) })).toBe(0);
    });

    it('should schedule one order per patient with an active subscription, and none for the others', async () => {
      const { clinicId, patients } = await clinicWithSubscriptions(4, 2);
      // A disabled subscription does not count.
      const disableId = await storeOrder(
        t,
        newOrder({
          sourceId: (await t.connection
            .collection('redox')
            .findOne({ _id: new Types.ObjectId(patients[1].documentId) }))!.meta.Source.ID,
          logId: `disable-${clinicId}`,
          mrn: `${counter}-1`,
        }),
      );
      await match(t, {
        messageRef: orderRef(disableId),
        patients: { criteria: ['MRN'], onUniqueMatch: 'DISABLE_REPORTS' },
      });

      const res = await syncClinic(clinicId);
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
      const documents = await scheduled()
        .find({ clinicId: new Types.ObjectId(clinicId) })
        .toArray();
      expect(documents.map((document) => document.userId)).toEqual([patients[0].userId]);
      const [document] = documents;
      expect(document.lastMatchedOrder._id.toHexString()).toBe(patients[0].documentId);
      expect(document.precedingDocument).toBeUndefined();
    });

    it('should point each order at the latest earlier one of the same order', async () => {
      const { clinicId, patients } = await clinicWithSubscriptions(2, 2);
      for (let run = 0; run < 3; run += 1) expect((await syncClinic(clinicId)).status).toBe(202);
      for (const patient of patients) {
        const documents = await scheduled().find({ userId: patient.userId }).sort({ createdTime: 1, _id: 1 }).toArray();
        expect(documents).toHaveLength(3);
        expect(documents[0].precedingDocument).toBeUndefined();
        expect(documents[1].precedingDocument).toEqual({
          _id: documents[0]._id,
          createdTime: documents[0].createdTime,
        });
        expect(documents[2].precedingDocument).toEqual({
          _id: documents[1]._id,
          createdTime: documents[1].createdTime,
        });
        for (const document of documents) expect(document.lastMatchedOrder._id.toHexString()).toBe(patient.documentId);
      }
    });

    it('should page through more patients than one batch holds', async () => {
      const { clinicId, patients } = await clinicWithSubscriptions(3, 3);
      // Many more records with an active subscription, written directly (the batch is 100).
      const order = await t.connection.collection('redox').findOne({ _id: new Types.ObjectId(patients[0].documentId) });
      const now = new Date();
      await t.connection.collection('patients').insertMany(
        Array.from({ length: 230 }, (_, i) => ({
          clinicId: new Types.ObjectId(clinicId),
          userId: `bulk${String(i).padStart(6, '0')}`,
          fullNameKey: '',
          createdTime: now,
          updatedTime: now,
          ehrSubscriptions: {
            summaryAndReports: {
              active: true,
              provider: 'redox',
              matchedMessages: [{ id: order!._id, dataModel: 'Order', eventType: 'New' }],
            },
          },
        })),
      );
      expect((await syncClinic(clinicId)).status).toBe(202);
      const documents = await scheduled()
        .find({ clinicId: new Types.ObjectId(clinicId) })
        .toArray();
      expect(documents).toHaveLength(233);
      expect(new Set(documents.map((document) => document.userId)).size).toBe(233);
      expect(new Set(documents.map((document) => (document.createdTime as Date).getTime())).size).toBe(1);
    });

    it('should leave lastMatchedOrder out when the order no longer exists', async () => {
      const { clinicId, patients } = await clinicWithSubscriptions(1, 1);
      await t.connection.collection('redox').deleteOne({ _id: new Types.ObjectId(patients[0].documentId) });
      expect((await syncClinic(clinicId)).status).toBe(202);
      const [document] = await scheduled()
        .find({ clinicId: new Types.ObjectId(clinicId) })
        .toArray();
      expect(Object.keys(document).sort()).toEqual(['_id', 'clinicId', 'createdTime', 'userId']);
    });

    it('should answer 404 for a clinic without an enabled Redox integration, writing nothing', async () => {
      const disabled = await clinicWithSubscriptions(1, 1);
      await putEhrSettings(t, disabled.clinicId, scenarioSettings({ sourceId: disabled.sourceId, enabled: false }));
      const xealth = await createClinic(t);
      await putEhrSettings(t, xealth.clinicId, scenarioSettings({ provider: 'xealth' }));
      const bare = await createClinic(t);
      for (const clinicId of [disabled.clinicId, xealth.clinicId, bare.clinicId, newObjectId()]) {
        expectError(await syncClinic(clinicId), 404, "not found: couldn't find a matching clinic");
        expect(await scheduled().countDocuments({ clinicId: new Types.ObjectId(clinicId) })).toBe(0);
      }
      expectValidationError(await syncClinic('not-an-id'), 'clinicId');
    });
  });

  describe('SyncEHRDataForPatient', () => {
    it('should deny everyone but servers, the patient included', async () => {
      const { patients } = await clinicWithSubscriptions(1, 1);
      const user = await t.users.create();
      await expectDenials((token) => t.call('POST', `/v1/patients/${patients[0].userId}/ehr/sync`, { token }), {
        user: user.token,
        patient: await t.tokens.user(patients[0].userId),
      });
      expect(await scheduled().countDocuments({ userId: patients[0].userId })).toBe(0);
    });

    it('should schedule in each clinic reporting after uploads where the patient is subscribed', async () => {
      const first = await clinicWithSubscriptions(1, 1);
      const userId = first.patients[0].userId;
      // The same user in a second clinic that does not report after uploads, and a third that is disabled.
      for (const settings of [{ scheduledReports: { cadence: '1d', onUploadEnabled: false } }, { enabled: false }]) {
        const other = await clinicWithSubscriptions(0, 0, settings);
        const order = await t.connection
          .collection('redox')
          .findOne({ _id: new Types.ObjectId(first.patients[0].documentId) });
        await t.connection.collection('patients').insertOne({
          clinicId: new Types.ObjectId(other.clinicId),
          userId,
          fullNameKey: '',
          createdTime: new Date(),
          updatedTime: new Date(),
          ehrSubscriptions: {
            summaryAndReports: {
              active: true,
              provider: 'redox',
              matchedMessages: [{ id: order!._id, dataModel: 'Order', eventType: 'New' }],
            },
          },
        });
      }
      const res = await syncPatient(userId);
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
      const documents = await scheduled().find({ userId }).toArray();
      expect(documents.map((document) => document.clinicId.toHexString())).toEqual([first.clinicId]);
    });

    it('should answer 202 and write nothing when nothing is active', async () => {
      const { patients } = await clinicWithSubscriptions(1, 0);
      for (const userId of [patients[0].userId, '0123456789']) {
        expect((await syncPatient(userId)).status).toBe(202);
        expect(await scheduled().countDocuments({ userId })).toBe(0);
      }
      expectValidationError(await syncPatient('not-a-user'), 'patientId');
    });
  });

  describe('expiry', () => {
    it('should remove scheduled orders older than 90 days, keeping the rest', async () => {
      const { clinicId } = await clinicWithSubscriptions(1, 1);
      expect((await syncClinic(clinicId)).status).toBe(202);
      const now = new Date();
      const old = {
        _id: new Types.ObjectId(),
        userId: 'expired001',
        clinicId: new Types.ObjectId(clinicId),
        createdTime: new Date(now.getTime() - 91 * DAY_MS),
      };
      const recent = {
        _id: new Types.ObjectId(),
        userId: 'recent0001',
        clinicId: new Types.ObjectId(clinicId),
        createdTime: new Date(now.getTime() - 89 * DAY_MS),
      };
      await scheduled().insertMany([old, recent]);
      const removed = await t.app.get(ScheduledOrdersExpiry).removeExpired(now);
      expect(removed).toBeGreaterThanOrEqual(1);
      expect(await scheduled().findOne({ _id: old._id })).toBeNull();
      expect(await scheduled().findOne({ _id: recent._id })).not.toBeNull();
      expect(await scheduled().countDocuments({ clinicId: new Types.ObjectId(clinicId) })).toBe(2);
    });

    it('should index the scheduled orders for the preceding-document read and the expiry', async () => {
      const indexes = await scheduled().indexes();
      const byName = new Map(indexes.map((index) => [index.name, index]));
      expect(byName.get('LastMatchedOrderByID')?.key).toEqual({ 'lastMatchedOrder._id': 1, createdTime: -1 });
      expect(byName.get('CleanupExpiredRescheduledOrdersAfter90d')?.key).toEqual({ createdTime: 1 });
      const info = await t.connection.db!.admin().command({ buildInfo: 1 });
      if (typeof info.ferretdbVersion !== 'string') {
        expect(byName.get('CleanupExpiredRescheduledOrdersAfter90d')?.expireAfterSeconds).toBe(90 * 24 * 60 * 60);
      }
      const patientIndexes = (await t.connection.collection('patients').indexes()).map((index) => index.key);
      expect(patientIndexes).toContainEqual({ clinicId: 1, 'ehrSubscriptions.summaryAndReports.active': 1, _id: 1 });
      const clinicIndexes = (await t.connection.collection('clinics').indexes()).map((index) => index.key);
      expect(clinicIndexes).toContainEqual({ 'ehrSettings.sourceId': 1 });
    });
  });
});
