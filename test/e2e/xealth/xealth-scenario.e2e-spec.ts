import { summaryId, summaryStats } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import {
  ADULT,
  ADULT_ORDER_ID,
  APP_URL,
  CHILD,
  CHILD_ORDER_ID,
  createScenarioClinic,
  FULL_NAME,
  getProgramsRequest,
  getProgramUrlRequest,
  orderNotification,
  preorderInitial,
  preorderSubsequent,
  putXealthSettings,
  readOrder,
  SUMMARY_DATES,
  xealth,
  xealthApp,
  DEPLOYMENT,
  useXealthStub,
} from './xealth.fixtures';

const MISMATCH =
  "there's a mismatch with the patient's date of birth between Tidepool and the Electronic Health Record (EHR)";
const EMAIL_IN_USE = 'The email address you chose is already in use with another account in Tidepool';

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

function expectRecent(time: string): void {
  expect(Math.abs(Date.parse(time) - Date.now())).toBeLessThan(10_000);
}

/**
 * The Xealth integration scenario of behavior-integrations.md §6.2, step by step against one database,
 * with a local stub of Xealth's OAuth2 endpoint and order API.
 */
describe('Xealth integration scenario (§6.2)', () => {
  const stub = useXealthStub();
  const t = useTestApp(xealthApp(stub));
  const state: {
    clinicId?: string;
    clinicianToken?: string;
    dataTrackingId?: string;
    patientId?: string;
    url?: string;
  } = {};
  const programs = async () => {
    const res = await xealth(t, 'PUT', 'programs', getProgramsRequest());
    expect(res.status).toBe(200);
    return res.body;
  };

  it('1–2. a clinician creates the clinic and a server enables Xealth for it', async () => {
    const created = await createScenarioClinic(t);
    state.clinicId = created.clinicId;
    state.clinicianToken = created.admin.token;
    await putXealthSettings(t, created.clinicId);
  });

  it('3. the initial pre-order of an adult answers the patient enrollment form', async () => {
    const res = await xealth(t, 'POST', 'preorder', preorderInitial());
    expect(res.status).toBe(200);
    expect(res.body.dataTrackingId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.notOrderable).toBe(false);
    expect(res.body.preorderFormInfo.formId).toBe('patient_enrollment_form');
    expect(res.body.preorderFormInfo.formSchema.title).toBe(`Add ${FULL_NAME} to Tidepool`);
    expect(res.body.preorderFormInfo.formData).toEqual({ patient: { email: 'home@example.com' } });
    expect(await t.connection.collection('xealth_preorder').countDocuments()).toBe(0);
    state.dataTrackingId = res.body.dataTrackingId;
  });

  it('4. the subsequent pre-order (sent without a Content-Type) is stored and answers exactly {}', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/xealth/preorder',
      headers: { authorization: 'Bearer xealth-token' },
      payload: JSON.stringify(
        preorderSubsequent(state.dataTrackingId!, {
          patient: { email: 'xealth@tidepool.org', connectAbbott: true, connectDexcom: true },
        }),
      ),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({});
    const stored = await t.connection.collection('xealth_preorder').find({}).toArray();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      dataTrackingId: state.dataTrackingId,
      patient: { email: 'xealth@tidepool.org', connectAbbott: true, connectDexcom: true },
    });
  });

  it('5. the order notification reads the order from Xealth and creates the patient', async () => {
    stub().setOrder(DEPLOYMENT, ADULT_ORDER_ID, readOrder(ADULT_ORDER_ID, state.dataTrackingId!));
    const res = await xealth(t, 'POST', 'notification', orderNotification(ADULT_ORDER_ID, 'new'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const token = stub().requestsTo('/oauth2/token');
    expect(token).toHaveLength(1);
    expect(token[0].headers.authorization).toBe(`Basic ${Buffer.from('client-id:client-secret').toString('base64')}`);
    expect(token[0].body).toBe('grant_type=client_credentials');
    expect(stub().requestsTo(`/partner/read/order/${DEPLOYMENT}/${ADULT_ORDER_ID}`)).toHaveLength(1);
    const orders = await t.connection.collection('xealth_order').find({}).toArray();
    expect(orders).toHaveLength(1);
    expect(orders[0].eventNotification.eventTimeStamp).toEqual(new Date('2021-01-14T00:23:47.580Z'));
    expect(orders[0].orderData.preorder).toEqual({ dataTrackingId: state.dataTrackingId });
  });

  it('6. the clinician finds the patient by MRN, with its e-mail and connection requests', async () => {
    const res = await t.call<any>('GET', `/v1/clinics/${state.clinicId}/patients`, {
      token: state.clinicianToken,
      query: { search: ADULT.mrn },
    });
    expect(res.status).toBe(200);
    expect(res.body.meta.count).toBe(1);
    const patient = res.body.data[0];
    expect(patient).toMatchObject({ mrn: ADULT.mrn, fullName: FULL_NAME, email: 'xealth@tidepool.org' });
    expectRecent(patient.connectionRequests.abbott[0].createdTime);
    expectRecent(patient.connectionRequests.dexcom[0].createdTime);
    state.patientId = patient.id;
    const record = await t.connection.collection('patients').findOne({ userId: patient.id });
    expect(record!.ehrSubscriptions.xealthReports).toMatchObject({ active: true, provider: 'xealth' });
    expect(record!.permissions).toEqual({ custodian: {}, view: {}, upload: {}, note: {} });
  });

  it('7. programs: enrolled, nothing uploaded or viewed yet', async () => {
    expect(await programs()).toEqual({
      present: true,
      programs: [
        {
          title: 'Tidepool',
          programId: '100',
          enrolledDate: '2021-01-14',
          has_alert: false,
          hasStatusView: false,
          description:
            'Last Upload: N/A | Last Viewed by You: N/A | Claimed Account?: No | Cloud Connections: Abbott (pending), Dexcom (pending)',
        },
      ],
    });
  });

  it('8–9. after a summary arrives, programs show the upload, an alert and the status view', async () => {
    const stats = summaryStats('cgm', summaryId(), SUMMARY_DATES.lastData);
    (stats.dates as Record<string, unknown>).lastUpdatedDate = SUMMARY_DATES.lastUpdatedDate;
    (stats.dates as Record<string, unknown>).lastUploadDate = SUMMARY_DATES.lastUploadDate;
    const res = await t.call('POST', `/v1/patients/${state.patientId}/summary`, {
      token: await t.tokens.server(),
      body: { cgmStats: stats },
    });
    expect(res.status).toBe(200);
    const body = await programs();
    expect(body.programs[0].description).toMatch(/^Last Upload: 2024-01-18 \| Last Viewed by You: N\/A \| /);
    expect(body.programs[0]).toMatchObject({ hasStatusView: true, has_alert: true });
  });

  it('10. the program URL opens the viewer with a restricted token, and the view is recorded', async () => {
    const res = await xealth(t, 'PUT', 'program', getProgramUrlRequest());
    expect(res.status).toBe(200);
    const url = new URL(res.body.url);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('integration.test.app.url.com');
    expect(url.pathname).toBe('/v1/xealth/report/web/viewer.html');
    expect([...url.searchParams.keys()]).toEqual(['clinicId', 'patientId', 'restricted_token']);
    expect(url.searchParams.get('clinicId')).toBe(state.clinicId);
    expect(url.searchParams.get('patientId')).toBe(state.patientId);
    const tokenId = url.searchParams.get('restricted_token')!;
    const token = await t.connection.collection('restricted_tokens').findOne({ tokenId });
    expect(token).toMatchObject({ userId: state.patientId });
    expect(token!.expirationTime.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    const views = await t.connection.collection('xealth_report_view').find({}).toArray();
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({
      userId: 'User_98768',
      systemLogin: 't_provider',
      deployment: DEPLOYMENT,
      patientUserId: state.patientId,
      programId: '100',
    });
    expect(views[0].clinicId.toHexString()).toBe(state.clinicId);
    state.url = `${url.pathname}${url.search}`;
  });

  it('11. the viewer page holds the export URL escaped for a JavaScript string', async () => {
    const res = await t.call('GET', state.url!);
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
    const token = new URL(`${APP_URL}${state.url}`).searchParams.get('restricted_token')!;
    const id = state.patientId!;
    expect(res.text).toContain(
      `window.PDF_URL = "https:\\/\\/integration.test.app.url.com\\/export\\/report\\/${id}?bgUnits=mg%2FdL\\u0026dob=1985-01-11\\u0026endDate=2024-01-17T06%3A38%3A22Z\\u0026fullName=FirstName\\u002bFirst\\u002bLastName\\u002bLast\\u0026inline=true\\u0026mrn=e987655\\u0026reports=all\\u0026restricted_token=${token}\\u0026startDate=2024-01-03T06%3A38%3A22Z\\u0026tzName=US%2FPacific\\u0026userId=${id}"`,
    );
  });

  it('12. programs: viewed today, so no alert', async () => {
    const body = await programs();
    expect(body.programs[0].description).toContain(`Last Viewed by You: ${today()} |`);
    expect(body.programs[0]).toMatchObject({ has_alert: false, hasStatusView: true });
  });

  it('13. a cancelled order ends the subscription: no program any more', async () => {
    stub().setOrder(
      DEPLOYMENT,
      ADULT_ORDER_ID,
      readOrder(ADULT_ORDER_ID, state.dataTrackingId!, { orderState: 'canceled' }),
    );
    const res = await xealth(t, 'POST', 'notification', orderNotification(ADULT_ORDER_ID, 'cancel'));
    expect(res.status).toBe(200);
    expect(await programs()).toEqual({ present: false });
    const record = await t.connection.collection('patients').findOne({ userId: state.patientId });
    expect(record!.ehrSubscriptions.xealthReports.active).toBe(false);
    expect(record!.ehrSubscriptions.xealthReports.matchedMessages.map((m: any) => m.eventType)).toEqual([
      'new',
      'cancel',
    ]);
  });

  it('14. an initial pre-order for the known patient answers exactly {}', async () => {
    const res = await xealth(t, 'POST', 'preorder', preorderInitial());
    expect(res.status).toBe(200);
    expect(res.text).toBe('{}');
  });

  it('15. an initial pre-order with another birth date answers the mismatch form', async () => {
    const res = await xealth(t, 'POST', 'preorder', preorderInitial({ birthDate: '1985-01-12' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain(MISMATCH);
    expect(res.body.notOrderable).toBe(true);
    expect(res.body.preorderFormInfo.formId).toBe('error_form');
  });

  it('16. a new order again re-activates the subscription', async () => {
    stub().setOrder(DEPLOYMENT, ADULT_ORDER_ID, readOrder(ADULT_ORDER_ID, state.dataTrackingId!));
    const res = await xealth(t, 'POST', 'notification', orderNotification(ADULT_ORDER_ID, 'new'));
    expect(res.status).toBe(200);
    const body = await programs();
    expect(body.present).toBe(true);
    expect(body.programs.length).toBeGreaterThan(0);
    // The cached OAuth token served every API call.
    expect(stub().requestsTo('/oauth2/token')).toHaveLength(1);
  });

  it('17. the clinician deletes the patient', async () => {
    const res = await t.call('DELETE', `/v1/clinics/${state.clinicId}/patients/${state.patientId}`, {
      token: state.clinicianToken,
    });
    expect(res.status).toBe(204);
  });

  it('18–19. a new enrollment with the same e-mail is refused: it is in use', async () => {
    const initial = await xealth(t, 'POST', 'preorder', preorderInitial());
    expect(initial.status).toBe(200);
    expect(initial.body.preorderFormInfo.formId).toBe('patient_enrollment_form');
    expect(initial.body.dataTrackingId).not.toBe(state.dataTrackingId);
    const res = await xealth(
      t,
      'POST',
      'preorder',
      preorderSubsequent(initial.body.dataTrackingId, { patient: { email: 'xealth@tidepool.org' } }),
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain(EMAIL_IN_USE);
    expect(res.body.notOrderable).toBe(true);
    expect(
      await t.connection.collection('xealth_preorder').countDocuments({ dataTrackingId: initial.body.dataTrackingId }),
    ).toBe(0);
  });

  it('20–23. a child is enrolled through the guardian form', async () => {
    const child = { mrn: CHILD.mrn, otherMrn: CHILD.otherMrn, birthDate: CHILD.birthDate };
    const initial = await xealth(t, 'POST', 'preorder', preorderInitial(child));
    expect(initial.status).toBe(200);
    expect(initial.body.preorderFormInfo.formId).toBe('guardian_enrollment_form');
    expect(initial.body.notOrderable).toBe(false);
    expect(initial.body.preorderFormInfo.formData).toEqual({ guardian: {} });
    const id = initial.body.dataTrackingId as string;
    const subsequent = await xealth(
      t,
      'POST',
      'preorder',
      preorderSubsequent(
        id,
        { guardian: { email: 'xealth+guardian@tidepool.org', firstName: 'James', lastName: 'Jellyfish' } },
        child,
      ),
    );
    expect(subsequent.status).toBe(200);
    expect(subsequent.body).toEqual({});
    stub().setOrder(DEPLOYMENT, CHILD_ORDER_ID, readOrder(CHILD_ORDER_ID, id, child));
    const notified = await xealth(
      t,
      'POST',
      'notification',
      orderNotification(CHILD_ORDER_ID, 'new', { ...child, eventTimeStamp: '2024-01-14T00:23:47.580Z' }),
    );
    expect(notified.status).toBe(200);
    const res = await t.call<any>('GET', `/v1/clinics/${state.clinicId}/patients`, {
      token: state.clinicianToken,
      query: { search: CHILD.mrn },
    });
    expect(res.body.meta.count).toBe(1);
    expect(res.body.data[0]).toMatchObject({ fullName: FULL_NAME, email: 'xealth+guardian@tidepool.org' });
    // No connection was asked for.
    expect(res.body.data[0].dataSources).toBeNull();
  });
});
