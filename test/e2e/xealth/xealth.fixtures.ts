import { Types } from 'mongoose';
import { loadMailConfig, mailConfig } from '../../../src/config/mail.config';
import { xealthConfig, type XealthConfig } from '../../../src/config/xealth.config';
import { XEALTH_VIEWER_ASSETS_DIR } from '../../../src/modules/xealth/report/xealth-report.service';
import { createClinic } from '../../support/builders';
import type { TestApp, TestAppOptions, TestResponse } from '../../support/test-app';
import { XealthStub } from '../../support/xealth-stub';

/** The values of the Xealth integration scenario (behavior-integrations.md §6.2). */
export const XEALTH_TOKEN = 'xealth-token';
export const DEPLOYMENT = 'artificialhealthcare';
export const PROGRAM_ID = '100';
export const APP_URL = 'https://integration.test.app.url.com';
export const ADULT = { mrn: 'e987655', otherMrn: '10052608740', birthDate: '1985-01-11' };
export const CHILD = { mrn: 'e987656', otherMrn: '10052608741', birthDate: '2023-01-11' };
export const FULL_NAME = 'FirstName First LastName Last';
export const EHR_USER = { userId: 'User_98768', systemLogin: 't_provider' };
export const ADULT_ORDER_ID = '7e316617-ef33-4859-b0c9-36bddbfe9229';
export const CHILD_ORDER_ID = '4f5d4267-654e-451f-acde-d56560940989';

export interface AppSettings {
  /** false: XEALTH_ENABLED unset. */
  enabled?: boolean;
  /** The viewer's asset folder (undefined: the installed pdfjs-dist). */
  assetsDir?: string;
}

/** App options with the Xealth integration pointed at the stub and WEB_URL = {@link APP_URL}. */
export function xealthApp(stub: () => XealthStub, settings: AppSettings = {}): () => TestAppOptions {
  return () => ({
    override: (builder) => {
      const config: XealthConfig =
        settings.enabled === false
          ? { enabled: false }
          : {
              enabled: true,
              bearerToken: XEALTH_TOKEN,
              clientId: 'client-id',
              clientSecret: 'client-secret',
              tokenUrl: stub().tokenUrl,
              apiUrl: stub().url,
            };
      let next = builder
        .overrideProvider(xealthConfig.KEY)
        .useValue(config)
        .overrideProvider(mailConfig.KEY)
        .useValue({ ...loadMailConfig(), webUrl: APP_URL });
      if (settings.assetsDir !== undefined) {
        next = next.overrideProvider(XEALTH_VIEWER_ASSETS_DIR).useValue(settings.assetsDir);
      }
      return next;
    },
  });
}

/** A Xealth stub for the enclosing `describe` block: started in a `beforeAll`, stopped in an `afterAll`. */
export function useXealthStub(): () => XealthStub {
  let stub: XealthStub | undefined;
  beforeAll(async () => {
    stub = await XealthStub.start();
  });
  afterAll(async () => {
    await stub?.stop();
  });
  return () => {
    if (!stub) throw new Error('the Xealth stub is not running: use it inside tests and hooks');
    return stub;
  };
}

/** Clinics with the same deployment enabled, so that clinic matching answers 409. */
export async function clinicsSharingDeployment(t: TestApp, deployment: string, count = 2): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const other = await createScenarioClinic(t);
    await putXealthSettings(t, other.clinicId, { sourceId: deployment });
  }
}

/** A call with Xealth's bearer token. */
export function xealth<T = any>(
  t: TestApp,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${XEALTH_TOKEN}` },
): Promise<TestResponse<T>> {
  return t.call<T>(method, `/v1/xealth/${path}`, { body, headers });
}

/** The scenario's clinic ("Todd's Clinic", mg/dL, US/Pacific), made by a new clinician. */
export async function createScenarioClinic(t: TestApp, overrides: Record<string, unknown> = {}) {
  return createClinic(t, {
    name: "Todd's Clinic",
    address: '1 Main St',
    city: 'Palo Alto',
    postalCode: '94301',
    state: 'CA',
    country: 'USA',
    clinicSize: '0-249',
    clinicType: 'provider_practice',
    preferredBgUnits: 'mg/dL',
    timezone: 'US/Pacific',
    ...overrides,
  });
}

/** The scenario's EHR settings: Xealth, deployment `artificialhealthcare`, program 100, MRN type `enterprise`. */
export function xealthSettings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    provider: 'xealth',
    sourceId: DEPLOYMENT,
    mrnIdType: 'enterprise',
    procedureCodes: { createAccountAndEnableReports: PROGRAM_ID },
    scheduledReports: { cadence: 'DISABLED', onUploadEnabled: false },
    tags: {},
    flowsheets: { icode: true },
    ...overrides,
  };
}

export async function putXealthSettings(
  t: TestApp,
  clinicId: string,
  overrides: Record<string, unknown> = {},
): Promise<void> {
  const res = await t.call('PUT', `/v1/clinics/${clinicId}/settings/ehr`, {
    token: await t.tokens.server(),
    body: xealthSettings(overrides),
  });
  if (res.status !== 200) throw new Error(`UpdateEHRSettings answered ${res.status}: ${res.text}`);
}

export interface PatientValues {
  mrn?: string;
  otherMrn?: string;
  birthDate?: string;
  given?: string[];
  family?: string[];
  email?: string | null;
  deployment?: string;
}

function identity(values: PatientValues): Record<string, unknown> {
  return {
    ids: [
      { id: values.mrn ?? ADULT.mrn, type: 'enterprise', origin: 'epic' },
      { id: values.otherMrn ?? ADULT.otherMrn, type: 'mrn', origin: 'epic' },
    ],
    historicalIds: [{ id: 'E99999900', type: 'enterprise', origin: 'epic' }],
  };
}

/** `datasets` with `demographicsV1` (names given [FirstName, First], family [LastName, Last]) and `ehrUserV1`. */
export function datasets(values: PatientValues = {}): Record<string, unknown> {
  const email = values.email === undefined ? 'home@example.com' : values.email;
  return {
    demographicsV1: {
      ids: [
        { id: values.mrn ?? ADULT.mrn, type: 'enterprise' },
        { id: values.otherMrn ?? ADULT.otherMrn, type: 'mrn' },
      ],
      name: {
        use: 'usual',
        text: 'Dame Senora FirstName First LastName Last PhD, MBA',
        prefix: ['Dame', 'Senora'],
        given: values.given ?? ['FirstName', 'First'],
        family: values.family ?? ['LastName', 'Last'],
        suffix: ['PhD', 'MBA'],
      },
      gender: 'female',
      birthDate: values.birthDate ?? ADULT.birthDate,
      telecom: [
        { system: 'phone', value: '888-555-2222', use: 'mobile', rank: 1 },
        ...(email ? [{ system: 'email', value: email, use: 'home', rank: 1 }] : []),
        { system: 'email', value: 'work@example.com', use: 'work' },
      ].filter((entry) => email || entry.value !== 'work@example.com'),
    },
    ehrUserV1: {
      userId: EHR_USER.userId,
      firstName: 'Test',
      lastName: 'Provider',
      systemLogin: EHR_USER.systemLogin,
      providerNPI: '1234567890',
      providerId: '255',
      providerType: 'Physician',
    },
  };
}

export function preorderInitial(values: PatientValues = {}): Record<string, unknown> {
  return {
    eventType: 'preorder',
    eventContext: 'initial',
    deployment: values.deployment ?? DEPLOYMENT,
    programId: PROGRAM_ID,
    patientIdentity: identity(values),
    datasets: datasets(values),
  };
}

export function preorderSubsequent(
  dataTrackingId: string,
  userInput: unknown,
  values: PatientValues = {},
): Record<string, unknown> {
  return {
    ...preorderInitial(values),
    eventContext: 'subsequent',
    formData: { dataTrackingId, formId: 'patient_enrollment_form', userInput },
  };
}

export function orderNotification(
  orderId: string,
  context: string = 'new',
  values: PatientValues & { eventTimeStamp?: string; programId?: string; eventType?: string } = {},
): Record<string, unknown> {
  return {
    eventId: '281f40d9-f583-496f-a503-f9e537cb43f6',
    eventTimeStamp: values.eventTimeStamp ?? '2021-01-14T00:23:47.580Z',
    eventType: values.eventType ?? 'order',
    eventContext: context,
    orderId,
    deployment: values.deployment ?? DEPLOYMENT,
    programId: values.programId ?? PROGRAM_ID,
    partnerId: 'tidepool',
    patientIdentity: identity(values),
  };
}

/** Xealth's ReadOrder answer for an order (the preorder's dataTrackingId unless null). */
export function readOrder(
  orderId: string,
  dataTrackingId: string | null,
  values: PatientValues & { orderState?: string } = {},
): Record<string, unknown> {
  return {
    patientIdentity: identity(values),
    orderInfo: {
      deployment: values.deployment ?? DEPLOYMENT,
      orderId,
      orderSource: 'digitalcare',
      orderState: values.orderState ?? 'ordered',
      partnerId: 'tidepool',
      programId: PROGRAM_ID,
      programTitle: 'Tidepool',
      orderCreationDateTime: '2021-07-13T13:31:13.313Z',
    },
    ...(dataTrackingId === null ? {} : { preorder: { dataTrackingId } }),
    datasets: datasets(values),
  };
}

export function getProgramsRequest(values: PatientValues = {}): Record<string, unknown> {
  return {
    eventType: 'getPrograms',
    eventContext: 'initial',
    deployment: values.deployment ?? DEPLOYMENT,
    patientIdentity: identity(values),
    ehrView: 'encounter',
    datasets: datasets(values),
    ordersInfo: [],
  };
}

export function getProgramUrlRequest(values: PatientValues = {}): Record<string, unknown> {
  return { ...getProgramsRequest(values), eventType: 'getProgramUrl', programId: PROGRAM_ID };
}

/** The scenario's CGM summary dates (behavior-integrations.md §6.1 step 15). */
export const SUMMARY_DATES = {
  lastData: '2024-01-17T06:38:22.958Z',
  lastUpdatedDate: '2024-01-18T09:44:11.17Z',
  lastUploadDate: '2024-01-17T09:40:07.939Z',
};

/**
 * Enrolls a patient the way Xealth does: initial and subsequent pre-order with `userInput`, then an
 * order notification for `orderId` (registered at the stub). Answers the dataTrackingId.
 */
export async function enroll(
  t: TestApp,
  stub: XealthStub,
  orderId: string,
  userInput: unknown,
  values: PatientValues = {},
): Promise<string> {
  const initial = await xealth(t, 'POST', 'preorder', preorderInitial(values));
  if (initial.status !== 200 || !initial.body.dataTrackingId) {
    throw new Error(`initial pre-order answered ${initial.status}: ${initial.text}`);
  }
  const dataTrackingId = initial.body.dataTrackingId as string;
  const subsequent = await xealth(t, 'POST', 'preorder', preorderSubsequent(dataTrackingId, userInput, values));
  if (subsequent.status !== 200 || subsequent.text !== '{}') {
    throw new Error(`subsequent pre-order answered ${subsequent.status}: ${subsequent.text}`);
  }
  stub.setOrder(values.deployment ?? DEPLOYMENT, orderId, readOrder(orderId, dataTrackingId, values));
  const notified = await xealth(t, 'POST', 'notification', orderNotification(orderId, 'new', values));
  if (notified.status !== 200) throw new Error(`notification answered ${notified.status}: ${notified.text}`);
  return dataTrackingId;
}

/** The counts of the Xealth collections and of the clinic's patients. */
export async function counts(t: TestApp, clinicId: string): Promise<Record<string, number>> {
  return {
    preorders: await t.connection.collection('xealth_preorder').countDocuments(),
    orders: await t.connection.collection('xealth_order').countDocuments(),
    views: await t.connection.collection('xealth_report_view').countDocuments(),
    patients: await t.connection.collection('patients').countDocuments({ clinicId: new Types.ObjectId(clinicId) }),
  };
}
