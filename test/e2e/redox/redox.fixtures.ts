import { redoxConfig } from '../../../src/config/redox.config';
import type { TestApp, TestAppOptions, TestResponse } from '../../support/test-app';

/** The verification token the test apps are configured with (REDOX_VERIFICATION_TOKEN). */
export const REDOX_TOKEN = 'redox-token';
/** The Redox source of the integration scenario (behavior-integrations.md §6.1). */
export const SOURCE_ID = '7ce6f387-c33c-417d-8682-81e83628cbd9';
export const DESTINATION_ID = 'af394f14-b34a-464f-8d24-895f370af4c9';
export const LOG_ID = 'd9f5d293-7110-461e-a875-3beb089e79f3';

/** App options with the Redox verification token set (null: unset). */
export function redoxApp(verificationToken: string | null = REDOX_TOKEN): TestAppOptions {
  return {
    override: (builder) =>
      builder.overrideProvider(redoxConfig.KEY).useValue({ verificationToken: verificationToken ?? undefined }),
  };
}

/**
 * A Redox Order/New message (`examples/redox/order-new.json`), as in the integration scenario: patient
 * Timothy Paul Bixby, born 2008-01-06, identifier `0000000001` of type `MR`, order 157968300 with
 * procedure code 49086-2.
 */
export function newOrder(overrides: { sourceId?: string; logId?: string; mrn?: string; mrnType?: string } = {}): any {
  return {
    Meta: {
      DataModel: 'Order',
      EventType: 'New',
      EventDateTime: '2024-01-16T17:42:07.000Z',
      Test: true,
      Source: { ID: overrides.sourceId ?? SOURCE_ID, Name: 'Redox Dev Tools' },
      Destinations: [{ ID: DESTINATION_ID, Name: 'Tidepool' }],
      Logs: [{ ID: overrides.logId ?? LOG_ID, AttemptID: '925d1617-2fe0-468c-a14c-f8c04b572c54' }],
      Message: { ID: 5565 },
      Transmission: { ID: 12414 },
      FacilityCode: null,
    },
    Patient: {
      Identifiers: [
        { ID: overrides.mrn ?? '0000000001', IDType: overrides.mrnType ?? 'MR' },
        { ID: 'e167267c-16c9-4fe3-96ae-9cff5703e90a', IDType: 'EHRID' },
      ],
      Demographics: {
        FirstName: 'Timothy',
        MiddleName: 'Paul',
        LastName: 'Bixby',
        DOB: '2008-01-06',
        SSN: '101-01-0001',
        Sex: 'Male',
        Race: 'White',
        IsHispanic: null,
        MaritalStatus: 'Single',
        IsDeceased: null,
        DeathDateTime: null,
        PhoneNumber: { Home: '+18088675301', Office: null, Mobile: null },
        EmailAddresses: [],
        Language: 'en',
        Citizenship: [],
        Address: {
          StreetAddress: '4762 Hickory Street',
          City: 'Monroe',
          State: 'WI',
          ZIP: '53566',
          County: 'Green',
          Country: 'US',
        },
      },
      Notes: [],
    },
    Visit: { VisitNumber: '1234', AccountNumber: null, PatientClass: null, VisitDateTime: null },
    Order: {
      ID: '157968300',
      ApplicationOrderID: null,
      Status: 'New',
      TransactionDateTime: '2024-01-16T17:42:07.000Z',
      CollectionDateTime: null,
      Specimen: { Source: null, BodySite: null, ID: null },
      Procedure: { Code: '49086-2', Codeset: null, Description: 'Tidepool summary and reports' },
      Provider: { NPI: '4356789876', ID: '4356789876', IDType: 'NPI', FirstName: 'Pat', LastName: 'Granite' },
      ResultCopyProviders: [],
      OrderingFacility: { Name: 'Cambridge Clinic' },
      Priority: 'Routine',
      Expiration: null,
      Comments: null,
      Notes: [],
      Diagnoses: [],
      ClinicalInfo: [{ Code: 'PATIENT_TAGS', Codeset: null, Description: 'Tags', Value: 'T1D,Pump', Units: null }],
    },
  };
}

/** The EHR settings of the integration scenario (step 2). */
export function scenarioSettings(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    enabled: true,
    provider: 'redox',
    sourceId: SOURCE_ID,
    procedureCodes: { enableSummaryReports: '49086-2' },
    destinationIds: { flowsheet: DESTINATION_ID, notes: DESTINATION_ID, results: DESTINATION_ID },
    mrnIdType: 'MR',
    scheduledReports: { cadence: '14d', onUploadEnabled: true, onUploadNoteEventType: 'Replace' },
    tags: { codes: ['PATIENT_TAGS'], separator: ',' },
    flowsheets: { icode: false },
    ...overrides,
  };
}

export async function putEhrSettings(
  t: TestApp,
  clinicId: string,
  settings: Record<string, unknown> = scenarioSettings(),
): Promise<TestResponse<any>> {
  return t.call<any>('PUT', `/v1/clinics/${clinicId}/settings/ehr`, { token: await t.tokens.server(), body: settings });
}

/** Posts a message to the intake with the verification token and answers its stored document's id. */
export async function storeOrder(t: TestApp, order: unknown = newOrder()): Promise<string> {
  const res = await t.call('POST', '/v1/redox', { body: order, headers: { 'verification-token': REDOX_TOKEN } });
  if (res.status !== 200) throw new Error(`ProcessEHRMessage answered ${res.status}: ${res.text}`);
  const logId = (order as any)?.Meta?.Logs?.[0]?.ID as string;
  const stored = await t.connection
    .collection('redox')
    .find({ 'meta.Logs.ID': logId })
    .sort({ _id: -1 })
    .limit(1)
    .next();
  if (!stored) throw new Error('the stored order was not found');
  return stored._id.toHexString();
}

/** MatchClinicAndPatient with a server token. */
export async function match(t: TestApp, body: unknown): Promise<TestResponse<any>> {
  return t.call<any>('POST', '/v1/redox/match', { token: await t.tokens.server(), body });
}

export function orderRef(documentId: string): Record<string, string> {
  return { dataModel: 'Order', eventType: 'New', documentId };
}
