import { resolve } from 'node:path';
import { buildDocumentWithoutDatabase } from '../../src/common/openapi/preview-document';
import { compareContract, formatReport, loadContract, OpenApiDoc, readNotImplementedList } from './openapi-compare';

const CONTRACT_PATH = resolve(process.env.CONTRACT_SPEC ?? resolve(__dirname, '../../../shared/spec/clinic.v1.yaml'));
const NOT_IMPLEMENTED_PATH = resolve(__dirname, 'not-implemented.txt');
/** Routes of this service that are not Clinics API operations. */
const SERVICE_ROUTES = ['/ready', '/live', '/metrics'];
/**
 * Companion routes existing Tidepool clients call that the contract omits (architecture.md), each
 * `METHOD /path` as in our OpenAPI document.
 */
const COMPANION_OPERATIONS = [
  'POST /confirm/send/invite/{userId}/clinic',
  'GET /confirm/invite/{userId}',
  'DELETE /v1/clinics/{clinicId}/invites/patients/{inviteId}',
];

describe('contract check', () => {
  it('should match clinic.v1.yaml for every implemented operation', async () => {
    const appDocument = (await buildDocumentWithoutDatabase()) as unknown as OpenApiDoc;

    const report = compareContract(
      loadContract(CONTRACT_PATH),
      appDocument,
      readNotImplementedList(NOT_IMPLEMENTED_PATH),
      {
        ignoreAppPaths: SERVICE_ROUTES,
        ignoreAppOperations: COMPANION_OPERATIONS,
      },
    );
    console.log(`${formatReport(report)}\n(contract: ${CONTRACT_PATH})`);
    expect(report.problems).toEqual([]);
  });
});
