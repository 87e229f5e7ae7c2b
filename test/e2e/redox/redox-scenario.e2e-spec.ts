import { Types } from 'mongoose';
import { summaryId, summaryStats } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { LOG_ID, match, newOrder, orderRef, putEhrSettings, REDOX_TOKEN, redoxApp } from './redox.fixtures';

/**
 * The Redox integration scenario of behavior-integrations.md §6.1, step by step against one database:
 * clinic → EHR settings → custodial patient → order intake → matching without and with ENABLE_REPORTS →
 * clinic sync → patient sync → the scheduled orders, field by field.
 */
describe('Redox integration scenario (§6.1)', () => {
  const t = useTestApp(redoxApp());
  const state: { clinicId?: string; patientId?: string; documentId?: string; clinicianToken?: string } = {};
  const scheduled = () => t.connection.collection('scheduledSummaryAndReportsOrders');

  it('1. a clinician creates the clinic', async () => {
    const clinician = await t.users.create({ fullName: 'Todd Clinician' });
    state.clinicianToken = clinician.token;
    const res = await t.call<any>('POST', '/v1/clinics', {
      token: clinician.token,
      body: {
        name: "Todd's Clinic",
        address: '1 Main St',
        city: 'Palo Alto',
        postalCode: '94301',
        state: 'CA',
        country: 'USA',
        clinicSize: '0-249',
        clinicType: 'provider_practice',
        phoneNumbers: [{ type: 'Main', number: '(415) 555-1212' }],
        preferredBgUnits: 'mg/dL',
        timezone: 'US/Pacific',
        website: 'https://example.com',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toMatch(/^[a-f0-9]{24}$/);
    state.clinicId = res.body.id;
  });

  it('2. a server sets the EHR settings', async () => {
    const res = await putEhrSettings(t, state.clinicId!);
    expect(res.status).toBe(200);
  });

  it('3. the clinician creates the custodial patient', async () => {
    const res = await t.call<any>('POST', `/v1/clinics/${state.clinicId}/patients`, {
      token: state.clinicianToken,
      body: { fullName: 'Timothy Bixby', birthDate: '2008-01-06', mrn: '0000000001', email: 'redox@tidepool.org' },
    });
    expect(res.status).toBe(200);
  });

  it('4. the clinician finds the patient by MRN', async () => {
    const res = await t.call<any>('GET', `/v1/clinics/${state.clinicId}/patients`, {
      token: state.clinicianToken,
      query: { search: '0000000001' },
    });
    expect(res.status).toBe(200);
    expect(res.body.meta.count).toBe(1);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({ mrn: '0000000001', birthDate: '2008-01-06' });
    state.patientId = res.body.data[0].id;
  });

  it('5. Redox delivers the order', async () => {
    const res = await t.call('POST', '/v1/redox', { body: newOrder(), headers: { 'verification-token': REDOX_TOKEN } });
    expect(res.status).toBe(200);
  });

  it('6. the order is stored under its Redox log id', async () => {
    const document = await t.connection.collection('redox').findOne({ 'meta.Logs.ID': LOG_ID });
    expect(document).not.toBeNull();
    state.documentId = document!._id.toHexString();
  });

  it('7. matching by DOB and full name finds the patient', async () => {
    const res = await match(t, {
      messageRef: orderRef(state.documentId!),
      patients: { criteria: ['DOB_FULLNAME'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.patients).toHaveLength(1);
    expect(res.body.patients[0]).toMatchObject({
      mrn: '0000000001',
      fullName: 'Timothy Bixby',
      birthDate: '2008-01-06',
    });
    expect(res.body.clinic.id).toBe(state.clinicId);
    expect(res.body.settings).toMatchObject({ sourceId: newOrder().Meta.Source.ID, mrnIdType: 'MR' });
  });

  it('8. without an action, no subscription is written', async () => {
    const patient = await findPatient();
    expect(patient.ehrSubscriptions ?? {}).toEqual({});
  });

  it('9. matching by MRN and DOB with ENABLE_REPORTS finds the same patient', async () => {
    const res = await match(t, {
      messageRef: orderRef(state.documentId!),
      patients: { criteria: ['MRN_DOB'], onUniqueMatch: 'ENABLE_REPORTS' },
    });
    expect(res.status).toBe(200);
    expect(res.body.patients.map((patient: any) => patient.id)).toEqual([state.patientId]);
  });

  it('10. the patient holds exactly one active Redox subscription', async () => {
    const patient = await findPatient();
    expect(Object.keys(patient.ehrSubscriptions)).toEqual(['summaryAndReports']);
    const subscription = patient.ehrSubscriptions.summaryAndReports;
    expect(subscription).toMatchObject({ active: true, provider: 'redox' });
    expect(subscription.matchedMessages).toEqual([
      { id: new Types.ObjectId(state.documentId), dataModel: 'Order', eventType: 'New' },
    ]);
    expect(subscription.createdAt).toBeInstanceOf(Date);
    expect(subscription.updatedAt).toBeInstanceOf(Date);
  });

  it('11. a server syncs the clinic', async () => {
    const res = await t.call('POST', `/v1/clinics/${state.clinicId}/ehr/sync`, { token: await t.tokens.server() });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
  });

  it('12. one scheduled order without a preceding document', async () => {
    expect(
      await scheduled().countDocuments({ userId: state.patientId, 'precedingDocument._id': { $exists: false } }),
    ).toBe(1);
  });

  it('13. a server syncs the patient', async () => {
    const res = await t.call('POST', `/v1/patients/${state.patientId}/ehr/sync`, { token: await t.tokens.server() });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
  });

  it('14. one scheduled order pointing at the first, field by field', async () => {
    const documents = await scheduled()
      .find({ userId: state.patientId, 'precedingDocument._id': { $exists: true } })
      .toArray();
    expect(documents).toHaveLength(1);
    const [document] = documents;
    const first = await scheduled().findOne({ userId: state.patientId, 'precedingDocument._id': { $exists: false } });
    const order = await t.connection.collection('redox').findOne({ _id: new Types.ObjectId(state.documentId) });
    expect(Object.keys(document).sort()).toEqual(
      ['_id', 'clinicId', 'createdTime', 'lastMatchedOrder', 'precedingDocument', 'userId'].sort(),
    );
    expect(document.userId).toBe(state.patientId);
    expect(document.clinicId).toEqual(new Types.ObjectId(state.clinicId));
    expect(Math.abs(Date.now() - (document.createdTime as Date).getTime())).toBeLessThan(5000);
    expect(document.lastMatchedOrder).toEqual(order);
    expect(document.lastMatchedOrder.message.Order.ID).toBe('157968300');
    expect(document.precedingDocument).toEqual({ _id: first!._id, createdTime: first!.createdTime });
  });

  it('15. the data platform pushes the CGM summary', async () => {
    const res = await t.call('POST', `/v1/patients/${state.patientId}/summary`, {
      token: await t.tokens.server(),
      body: { cgmStats: summaryStats('cgm', summaryId(), '2024-01-17T06:38:22.958Z') },
    });
    expect(res.status).toBe(200);
  });

  it('16. the clinician removes the patient', async () => {
    const res = await t.call('DELETE', `/v1/clinics/${state.clinicId}/patients/${state.patientId}`, {
      token: state.clinicianToken,
    });
    expect(res.status).toBe(204);
  });

  function findPatient(): Promise<any> {
    return t.connection
      .collection('patients')
      .findOne({ clinicId: new Types.ObjectId(state.clinicId), userId: state.patientId });
  }
});
