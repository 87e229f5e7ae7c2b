import { Types } from 'mongoose';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import {
  counts,
  createScenarioClinic,
  DEPLOYMENT,
  enroll,
  FULL_NAME,
  orderNotification,
  preorderInitial,
  preorderSubsequent,
  putXealthSettings,
  readOrder,
  xealth,
  xealthApp,
  XEALTH_TOKEN,
  useXealthStub,
  clinicsSharingDeployment,
} from './xealth.fixtures';

describe('XealthNotification', () => {
  const stub = useXealthStub();
  const t = useTestApp(xealthApp(stub));
  let clinicId: string;
  let clinicianToken: string;
  let mrnCounter = 0;
  const nextMrn = () => `mrn-${(mrnCounter += 1)}`;
  const patientWithMrn = (mrn: string) =>
    t.connection.collection('patients').findOne({ clinicId: new Types.ObjectId(clinicId), mrn });

  beforeAll(async () => {
    const created = await createScenarioClinic(t);
    clinicId = created.clinicId;
    clinicianToken = created.admin.token;
    await putXealthSettings(t, clinicId);
  });

  async function trackingId(mrn: string, userInput: unknown): Promise<string> {
    const initial = await xealth(t, 'POST', 'preorder', preorderInitial({ mrn }));
    const id = initial.body.dataTrackingId as string;
    const res = await xealth(t, 'POST', 'preorder', preorderSubsequent(id, userInput, { mrn }));
    expect(res.body).toEqual({});
    return id;
  }

  describe('ignored notifications', () => {
    it('should answer 200 for other events and contexts without reading anything', async () => {
      const before = await counts(t, clinicId);
      for (const body of [
        orderNotification('order-x', 'update'),
        orderNotification('order-x', 'new', { eventType: 'enrollment' }),
        orderNotification('order-x', 'new', { deployment: 'unknown-deployment' }),
        orderNotification('order-x', 'new', { programId: '999' }),
      ]) {
        const res = await xealth(t, 'POST', 'notification', body);
        expect(res.status).toBe(200);
        expect(res.text).toBe('');
      }
      expect(stub().requests).toHaveLength(0);
      expect(await counts(t, clinicId)).toEqual(before);
    });

    it('should answer 400 for malformed JSON', async () => {
      const res = await t.call('POST', '/v1/xealth/notification', {
        body: '{"eventType": ',
        headers: { authorization: `Bearer ${XEALTH_TOKEN}`, 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
    });

    it('should answer 409 when two clinics have the deployment', async () => {
      await clinicsSharingDeployment(t, 'twice');
      expectError(
        await xealth(t, 'POST', 'notification', orderNotification('o', 'new', { deployment: 'twice' })),
        409,
        'duplicate: multiple matching clinics found',
      );
    });
  });

  describe('reading the order', () => {
    it('should answer 502 with nothing written when Xealth does not know the order', async () => {
      const before = await counts(t, clinicId);
      const res = await xealth(t, 'POST', 'notification', orderNotification('not-registered'));
      expectError(res, 502, 'the xealth api failed: read order answered 404');
      expect(await counts(t, clinicId)).toEqual(before);
    });

    it('should answer 502 with nothing written when the Xealth API fails or drops the connection', async () => {
      const mrn = nextMrn();
      const id = await trackingId(mrn, { patient: { email: 'fails@example.com' } });
      stub().setOrder(DEPLOYMENT, 'order-fails', readOrder('order-fails', id, { mrn }));
      const before = await counts(t, clinicId);
      for (const mode of ['error', 'close'] as const) {
        stub().mode = mode;
        const res = await xealth(t, 'POST', 'notification', orderNotification('order-fails', 'new', { mrn }));
        expect(res.status).toBe(502);
        expect(res.body.message).toMatch(/^the xealth api failed: /);
      }
      stub().mode = 'normal';
      expect(await counts(t, clinicId)).toEqual(before);
      // Once Xealth answers again, the same notification goes through.
      expect((await xealth(t, 'POST', 'notification', orderNotification('order-fails', 'new', { mrn }))).status).toBe(
        200,
      );
      expect(await patientWithMrn(mrn)).not.toBeNull();
    });

    it('should answer 404 with nothing written when the pre-order data is not stored', async () => {
      const mrn = nextMrn();
      stub().setOrder(DEPLOYMENT, 'order-lost', readOrder('order-lost', 'never-stored', { mrn }));
      const before = await counts(t, clinicId);
      expectError(
        await xealth(t, 'POST', 'notification', orderNotification('order-lost', 'new', { mrn })),
        404,
        'not found: preorder data not found',
      );
      expect(await counts(t, clinicId)).toEqual(before);
    });

    it('should answer 400 with nothing written for a new patient without pre-order data', async () => {
      const mrn = nextMrn();
      stub().setOrder(DEPLOYMENT, 'order-bare', readOrder('order-bare', null, { mrn }));
      const before = await counts(t, clinicId);
      expectError(
        await xealth(t, 'POST', 'notification', orderNotification('order-bare', 'new', { mrn })),
        400,
        'bad request: the order has no pre-order data for a new patient',
      );
      expect(await counts(t, clinicId)).toEqual(before);
    });
  });

  describe('patients', () => {
    it('should create nothing for a cancelled order of an unknown patient', async () => {
      const mrn = nextMrn();
      const id = await trackingId(mrn, { patient: { email: 'cancelled@example.com' } });
      stub().setOrder(DEPLOYMENT, 'order-cancel', readOrder('order-cancel', id, { mrn, orderState: 'canceled' }));
      const before = await counts(t, clinicId);
      const res = await xealth(t, 'POST', 'notification', orderNotification('order-cancel', 'cancel', { mrn }));
      expect(res.status).toBe(200);
      expect(await counts(t, clinicId)).toEqual(before);
      expect(await patientWithMrn(mrn)).toBeNull();
    });

    it('should subscribe an existing patient (MRN and birth date) without creating another', async () => {
      const mrn = nextMrn();
      const created = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
        token: clinicianToken,
        body: { fullName: 'Existing Patient', birthDate: '1985-01-11', mrn: mrn.toUpperCase() },
      });
      expect(created.status).toBe(200);
      stub().setOrder(DEPLOYMENT, 'order-existing', readOrder('order-existing', null, { mrn }));
      const before = await counts(t, clinicId);
      expect(
        (await xealth(t, 'POST', 'notification', orderNotification('order-existing', 'new', { mrn }))).status,
      ).toBe(200);
      expect(await counts(t, clinicId)).toEqual({ ...before, orders: before.orders + 1 });
      const record = await t.connection
        .collection('patients')
        .findOne({ clinicId: new Types.ObjectId(clinicId), userId: created.body.id });
      const order = await t.connection.collection('xealth_order').find({}).sort({ _id: -1 }).limit(1).next();
      expect(record!.fullName).toBe('Existing Patient');
      expect(record!.ehrSubscriptions.xealthReports).toMatchObject({
        active: true,
        provider: 'xealth',
        matchedMessages: [{ id: order!._id, dataModel: 'order', eventType: 'new' }],
      });
      expect(order!.orderData.orderInfo.orderId).toBe('order-existing');
      expect(order!.eventNotification).toMatchObject({
        orderId: 'order-existing',
        eventContext: 'new',
        programId: '100',
      });
    });

    it('should create the patient with the pre-order e-mail, the clinic tags only, and connection requests', async () => {
      const mrn = nextMrn();
      const tag = new Types.ObjectId();
      await t.connection
        .collection('clinics')
        .updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { patientTags: [{ _id: tag, name: 'Xealth' }] } });
      const unknownTag = new Types.ObjectId().toHexString();
      await enroll(
        t,
        stub(),
        'order-tags',
        {
          patient: { email: 'Tagged@Example.com', connectAbbott: true },
          tags: { ids: [tag.toHexString(), unknownTag] },
        },
        { mrn },
      );
      const record = await patientWithMrn(mrn);
      expect(record).toMatchObject({ fullName: FULL_NAME, birthDate: '1985-01-11', email: 'tagged@example.com' });
      expect(record!.tags.map(String)).toEqual([tag.toHexString()]);
      expect(record!.dataSources).toHaveLength(1);
      expect(record!.dataSources[0]).toMatchObject({ providerName: 'abbott', state: 'pending' });
      const expires = record!.dataSources[0].expirationTime.getTime() - Date.now();
      expect(Math.abs(expires - 30 * 24 * 3600_000)).toBeLessThan(60_000);
      expect(Object.keys(record!.providerConnectionRequests)).toEqual(['abbott']);
      expect(record!.permissions).toEqual({ custodian: {}, view: {}, upload: {}, note: {} });
      await t.connection
        .collection('clinics')
        .updateOne({ _id: new Types.ObjectId(clinicId) }, { $unset: { patientTags: '' } });
    });

    it('should create a patient without e-mail, data sources or connection requests when none was given', async () => {
      const mrn = nextMrn();
      await enroll(t, stub(), 'order-no-email', { patient: { connectAbbott: true, connectDexcom: true } }, { mrn });
      const record = await patientWithMrn(mrn);
      expect(record!.email).toBeNull();
      expect(record!.dataSources ?? null).toBeNull();
      expect(record!.providerConnectionRequests ?? {}).toEqual({});
      expect(record!.ehrSubscriptions.xealthReports.active).toBe(true);
    });

    it('should answer 409 with nothing written when the e-mail belongs to another account', async () => {
      await t.users.create({ email: 'owner@example.com' });
      const mrn = nextMrn();
      // The form was filled in before the e-mail was taken.
      const initial = await xealth(t, 'POST', 'preorder', preorderInitial({ mrn }));
      const id = initial.body.dataTrackingId as string;
      await t.connection
        .collection('xealth_preorder')
        .insertOne({ dataTrackingId: id, patient: { email: 'owner@example.com' } });
      stub().setOrder(DEPLOYMENT, 'order-taken', readOrder('order-taken', id, { mrn }));
      const before = await counts(t, clinicId);
      const res = await xealth(t, 'POST', 'notification', orderNotification('order-taken', 'new', { mrn }));
      expect(res.status).toBe(409);
      expect(await counts(t, clinicId)).toEqual(before);
    });

    it('should treat a re-sent notification as a new matched order, and re-activate after a cancel', async () => {
      const mrn = nextMrn();
      const id = await enroll(t, stub(), 'order-again', { patient: { email: 'again@example.com' } }, { mrn });
      stub().setOrder(DEPLOYMENT, 'order-again', readOrder('order-again', id, { mrn, orderState: 'canceled' }));
      await xealth(t, 'POST', 'notification', orderNotification('order-again', 'cancel', { mrn }));
      stub().setOrder(DEPLOYMENT, 'order-again', readOrder('order-again', id, { mrn }));
      await xealth(t, 'POST', 'notification', orderNotification('order-again', 'new', { mrn }));
      const record = await patientWithMrn(mrn);
      const subscription = record!.ehrSubscriptions.xealthReports;
      expect(subscription.active).toBe(true);
      expect(subscription.matchedMessages.map((message: any) => message.eventType)).toEqual(['new', 'cancel', 'new']);
      expect(
        await t.connection.collection('patients').countDocuments({ clinicId: new Types.ObjectId(clinicId), mrn }),
      ).toBe(1);
    });
  });
});
