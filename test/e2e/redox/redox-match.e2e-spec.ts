import { Types } from 'mongoose';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addCustodialPatient, findPatientDocument } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';
import { match, newOrder, orderRef, putEhrSettings, redoxApp, scenarioSettings, storeOrder } from './redox.fixtures';

let sourceCounter = 0;
/** A Redox source id no other test uses. */
function newSource(): string {
  sourceCounter += 1;
  return `source-${Date.now().toString(36)}-${sourceCounter}`;
}

describe('MatchClinicAndPatient', () => {
  const t = useTestApp(redoxApp());

  /** A clinic with Redox settings for a new source, an admin, and an order stored for that source. */
  async function redoxClinic(options: { settings?: Record<string, unknown>; order?: any } = {}) {
    const sourceId = newSource();
    const { clinicId, admin } = await createClinic(t);
    const settings = await putEhrSettings(t, clinicId, scenarioSettings({ sourceId, ...options.settings }));
    if (settings.status !== 200) throw new Error(`UpdateEHRSettings answered ${settings.status}: ${settings.text}`);
    const order = options.order ?? newOrder({ sourceId, logId: `log-${sourceId}` });
    order.Meta.Source.ID = sourceId;
    order.Meta.Logs[0].ID = `log-${sourceId}`;
    const documentId = await storeOrder(t, order);
    return { clinicId, admin, sourceId, documentId };
  }

  async function addBixby(clinicId: string, token: string, body: Record<string, unknown> = {}): Promise<string> {
    const patient = await addCustodialPatient(t, clinicId, token, {
      fullName: 'Timothy Bixby',
      birthDate: '2008-01-06',
      mrn: '0000000001',
      ...body,
    });
    return patient.id as string;
  }

  it('should deny callers without a server token', async () => {
    const { clinicId, documentId } = await redoxClinic();
    const admin = await addClinician(t, clinicId, ['CLINIC_ADMIN']);
    const outsider = await t.users.create();
    await expectDenials(
      (token) => t.call('POST', '/v1/redox/match', { token, body: { messageRef: orderRef(documentId) } }),
      { clinicAdmin: admin.token, otherUser: outsider.token },
    );
  });

  it('should check the request in the documented order, with its messages', async () => {
    const { documentId } = await redoxClinic();
    expectError(await match(t, {}), 400, 'bad request: messageRef is required');
    expectError(
      await t.call('POST', '/v1/redox/match', { token: await t.tokens.server() }),
      400,
      'bad request: messageRef is required',
    );
    expectError(await match(t, { messageRef: orderRef('not-an-id') }), 400, 'bad request: invalid documentId');
    expectValidationError(
      await match(t, { messageRef: { ...orderRef(documentId), dataModel: 'Results' } }),
      'messageRef.dataModel',
    );
    expectValidationError(
      await match(t, { messageRef: { ...orderRef(documentId), eventType: 'Cancel' } }),
      'messageRef.eventType',
    );
    expectValidationError(
      await match(t, { messageRef: { dataModel: 'Order', eventType: 'New' } }),
      'messageRef.documentId',
    );
    expectValidationError(
      await match(t, { messageRef: orderRef(documentId), patients: { criteria: [] } }),
      'patients.criteria',
    );
    expectValidationError(
      await match(t, { messageRef: orderRef(documentId), patients: { criteria: ['EMAIL'] } }),
      'patients.criteria',
    );
    expectValidationError(
      await match(t, { messageRef: orderRef(documentId), patients: { criteria: ['MRN'], onUniqueMatch: 'NOTIFY' } }),
      'patients.onUniqueMatch',
    );
  });

  it('should answer 404 for an unknown document id, and for a stored message that is not a new order', async () => {
    expectError(await match(t, { messageRef: orderRef(newObjectId()) }), 404, 'order message not found');
    const sourceId = newSource();
    const results = {
      Meta: { DataModel: 'Results', EventType: 'New', Source: { ID: sourceId }, Logs: [{ ID: `r-${sourceId}` }] },
    };
    const documentId = await storeOrder(t, results);
    expectError(await match(t, { messageRef: orderRef(documentId) }), 404, 'order message not found');
  });

  it('should answer 400 when the order has no source id', async () => {
    const order = newOrder({ logId: 'no-source' });
    order.Meta.Source = { ID: '', Name: 'x' };
    const documentId = await storeOrder(t, order);
    expectError(await match(t, { messageRef: orderRef(documentId) }), 400, 'bad request: source id is required');
  });

  it('should find the clinic among enabled Redox clinics only: none → 404, two → 409', async () => {
    const sourceId = newSource();
    const documentId = await storeOrder(t, newOrder({ sourceId, logId: `log-${sourceId}` }));
    const noMatch = "not found: couldn't find a matching clinic";
    expectError(await match(t, { messageRef: orderRef(documentId) }), 404, noMatch);

    const disabled = await createClinic(t);
    await putEhrSettings(t, disabled.clinicId, scenarioSettings({ sourceId, enabled: false }));
    const xealth = await createClinic(t);
    await putEhrSettings(t, xealth.clinicId, scenarioSettings({ sourceId, provider: 'xealth' }));
    expectError(await match(t, { messageRef: orderRef(documentId) }), 404, noMatch);

    const first = await createClinic(t);
    await putEhrSettings(t, first.clinicId, scenarioSettings({ sourceId }));
    const res = await match(t, { messageRef: orderRef(documentId) });
    expect(res.status).toBe(200);
    expect(res.body.clinic.id).toBe(first.clinicId);
    expect(res.body.patients).toEqual([]);
    expect(res.body.settings).toEqual({
      enabled: true,
      provider: 'redox',
      sourceId,
      procedureCodes: { enableSummaryReports: '49086-2' },
      destinationIds: scenarioSettings().destinationIds,
      mrnIdType: 'MR',
      scheduledReports: { cadence: '14d', onUploadEnabled: true, onUploadNoteEventType: 'Replace' },
      tags: { codes: ['PATIENT_TAGS'], separator: ',' },
      flowsheets: { icode: false },
    });

    const second = await createClinic(t);
    await putEhrSettings(t, second.clinicId, scenarioSettings({ sourceId }));
    expectError(
      await match(t, { messageRef: orderRef(documentId) }),
      409,
      'duplicate: multiple matching clinics found',
    );
  });

  it('should match case- and accent-insensitively, per criterion, de-duplicated in criterion order', async () => {
    const { clinicId, admin, documentId } = await redoxClinic();
    const exact = await addBixby(clinicId, admin.token, { fullName: 'timothy BÍXBY', mrn: ' 0000000001 ' });
    const sameMrnOtherDob = await addBixby(clinicId, admin.token, {
      fullName: 'Someone Else',
      birthDate: '2001-01-01',
    });
    const sameNameNoMrn = await addBixby(clinicId, admin.token, { fullName: 'Timothy Bixby', mrn: undefined });
    await addBixby(clinicId, admin.token, { fullName: 'Timothy Bixbyy', mrn: 'other' });
    const other = await createClinic(t);
    await addBixby(other.clinicId, other.admin.token);

    const ids = async (criteria: string[]) => {
      const res = await match(t, { messageRef: orderRef(documentId), patients: { criteria } });
      expect(res.status).toBe(200);
      return res.body.patients.map((patient: any) => patient.id);
    };
    expect(await ids(['MRN_DOB'])).toEqual([exact]);
    expect((await ids(['MRN'])).sort()).toEqual([exact, sameMrnOtherDob].sort());
    expect((await ids(['DOB_FULLNAME'])).sort()).toEqual([exact, sameNameNoMrn].sort());
    const both = await ids(['MRN_DOB', 'DOB_FULLNAME']);
    expect(both[0]).toBe(exact);
    expect(both).toHaveLength(2);
    expect(new Set(both)).toEqual(new Set([exact, sameNameNoMrn]));
    // Without `patients`, no search.
    const res = await match(t, { messageRef: orderRef(documentId) });
    expect(res.body.patients).toEqual([]);
  });

  it('should return each patient as patient.v1', async () => {
    const { clinicId, admin, documentId } = await redoxClinic();
    const id = await addBixby(clinicId, admin.token);
    const res = await match(t, { messageRef: orderRef(documentId), patients: { criteria: ['MRN'] } });
    const got = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients/${id}`, { token: admin.token });
    expect(res.body.patients).toEqual([got.body]);
  });

  it('should not search without an MRN of the clinic type, and answer 400 for an MRN without DOB or name', async () => {
    const { clinicId, admin, documentId } = await redoxClinic({ settings: { mrnIdType: 'MRN' } });
    await addBixby(clinicId, admin.token);
    const res = await match(t, { messageRef: orderRef(documentId), patients: { criteria: ['MRN', 'DOB_FULLNAME'] } });
    expect(res.status).toBe(200);
    expect(res.body.patients).toEqual([]);

    const noDob = newOrder();
    delete noDob.Patient.Demographics.DOB;
    const withoutDob = await redoxClinic({ order: noDob });
    expectError(
      await match(t, { messageRef: orderRef(withoutDob.documentId) }),
      400,
      'bad request: date of birth is missing',
    );
    const noName = newOrder();
    noName.Patient.Demographics.FirstName = null;
    noName.Patient.Demographics.LastName = null;
    const withoutName = await redoxClinic({ order: noName });
    expectError(
      await match(t, { messageRef: orderRef(withoutName.documentId), patients: { criteria: ['MRN'] } }),
      400,
      'bad request: full name is missing',
    );
  });

  it('should update the subscription only on a unique match, once per document, and disable it', async () => {
    const { clinicId, admin, documentId } = await redoxClinic();
    const first = await addBixby(clinicId, admin.token);
    const enable = {
      messageRef: orderRef(documentId),
      patients: { criteria: ['MRN_DOB'], onUniqueMatch: 'ENABLE_REPORTS' },
    };

    expect((await match(t, enable)).status).toBe(200);
    const afterFirst = (await findPatientDocument(t, clinicId, first)).ehrSubscriptions.summaryAndReports;
    expect(afterFirst).toMatchObject({ active: true, provider: 'redox' });
    expect(afterFirst.matchedMessages).toEqual([
      { id: new Types.ObjectId(documentId), dataModel: 'Order', eventType: 'New' },
    ]);

    // The same document again: nothing changes (idempotent).
    expect((await match(t, enable)).status).toBe(200);
    expect((await findPatientDocument(t, clinicId, first)).ehrSubscriptions.summaryAndReports).toEqual(afterFirst);

    // A second order disabling it: appended, inactive, createdAt kept.
    const disableOrder = newOrder({ logId: `disable-${documentId}` });
    disableOrder.Meta.Source.ID = (await t.connection
      .collection('redox')
      .findOne({ _id: new Types.ObjectId(documentId) }))!.meta.Source.ID;
    const disableId = await storeOrder(t, disableOrder);
    const disable = {
      messageRef: orderRef(disableId),
      patients: { criteria: ['MRN_DOB'], onUniqueMatch: 'DISABLE_REPORTS' },
    };
    expect((await match(t, disable)).status).toBe(200);
    const disabled = (await findPatientDocument(t, clinicId, first)).ehrSubscriptions.summaryAndReports;
    expect(disabled.active).toBe(false);
    expect(disabled.createdAt).toEqual(afterFirst.createdAt);
    expect(disabled.matchedMessages.map((message: any) => message.id.toHexString())).toEqual([documentId, disableId]);

    // Two matches: both returned, nothing written.
    const second = await addBixby(clinicId, admin.token, { email: undefined });
    const third = newOrder({ logId: `third-${documentId}` });
    third.Meta.Source.ID = disableOrder.Meta.Source.ID;
    const thirdId = await storeOrder(t, third);
    const res = await match(t, {
      messageRef: orderRef(thirdId),
      patients: { criteria: ['MRN_DOB'], onUniqueMatch: 'ENABLE_REPORTS' },
    });
    expect(res.body.patients.map((patient: any) => patient.id).sort()).toEqual([first, second].sort());
    expect((await findPatientDocument(t, clinicId, first)).ehrSubscriptions.summaryAndReports).toEqual(disabled);
    expect((await findPatientDocument(t, clinicId, second)).ehrSubscriptions).toBeUndefined();
  });

  it('should never lose a concurrent subscription update for one patient', async () => {
    const { clinicId, admin, sourceId } = await redoxClinic();
    const patientId = await addBixby(clinicId, admin.token);
    const documentIds: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      documentIds.push(await storeOrder(t, newOrder({ sourceId, logId: `concurrent-${sourceId}-${i}` })));
    }
    const requests = [...documentIds, ...documentIds.slice(0, 3)].map((documentId) =>
      match(t, { messageRef: orderRef(documentId), patients: { criteria: ['MRN'], onUniqueMatch: 'ENABLE_REPORTS' } }),
    );
    const responses = await Promise.all(requests);
    expect(responses.map((res) => res.status)).toEqual(requests.map(() => 200));
    const subscription = (await findPatientDocument(t, clinicId, patientId)).ehrSubscriptions.summaryAndReports;
    const stored = subscription.matchedMessages.map((message: any) => message.id.toHexString());
    expect(stored).toHaveLength(documentIds.length);
    expect(new Set(stored)).toEqual(new Set(documentIds));
  });

  it('should deactivate the subscriptions when the patient’s MRN changes', async () => {
    const { clinicId, admin, documentId } = await redoxClinic();
    const patientId = await addBixby(clinicId, admin.token);
    await match(t, {
      messageRef: orderRef(documentId),
      patients: { criteria: ['MRN'], onUniqueMatch: 'ENABLE_REPORTS' },
    });
    const res = await t.call('PUT', `/v1/clinics/${clinicId}/patients/${patientId}`, {
      token: admin.token,
      body: { fullName: 'Timothy Bixby', birthDate: '2008-01-06', mrn: '0000000002' },
    });
    expect(res.status).toBe(200);
    const subscription = (await findPatientDocument(t, clinicId, patientId)).ehrSubscriptions.summaryAndReports;
    expect(subscription.active).toBe(false);
    expect(subscription.matchedMessages).toHaveLength(1);
  });
});
