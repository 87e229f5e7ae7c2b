import { resolve } from 'node:path';
import { loadContract, OpenApiDoc, readNotImplementedList } from '../../contract/openapi-compare';
import { createMatrixFixture, MatrixFixture, newObjectId } from '../../support/builders';
import { expectError, FORBIDDEN_MESSAGE } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';

/**
 * Who may call each contract operation, transcribed from authz.md §4 (and decisions.md, which
 * makes ListAllClinicians server-only and puts invites behind the same guard as everything else).
 * Written independently of the guard's own rules on purpose: it is the reference they are checked against.
 *   SRV server token · USR any user token · MEM member or admin · ADM admin · REC any clinician record
 *   SELF the user named in the path (user token) · SRV:custodian server when {permission} is `custodian`
 *   PUBLIC no session token (the route has its own protection)
 */
const RULES: Record<string, string> = {
  ListClinics: 'SRV',
  CreateClinic: 'USR',
  GetClinicByShareCode: 'SRV USR',
  GetClinic: 'SRV USR',
  UpdateClinic: 'SRV ADM',
  DeleteClinic: 'SRV ADM',
  ListClinicians: 'SRV MEM',
  CreateClinician: 'SRV',
  TideReport: 'SRV MEM',
  ListPatients: 'SRV MEM',
  CreatePatientAccount: 'SRV MEM',
  CreatePatientTag: 'SRV MEM',
  CreateSite: 'SRV ADM',
  UpdateSite: 'SRV ADM',
  DeleteSite: 'SRV ADM',
  MergeSite: 'SRV',
  GetClinician: 'SRV MEM',
  UpdateClinician: 'SRV ADM',
  // SELF(clinicianId) only together with MEM; the path user here has no role, so it is denied.
  DeleteClinician: 'SRV ADM',
  GetPatient: 'SRV MEM',
  CreatePatientFromUser: 'SRV',
  UpdatePatient: 'SRV MEM',
  DeletePatient: 'ADM SELF',
  UpdatePatientTag: 'SRV MEM',
  DeletePatientTag: 'SRV ADM',
  ConvertPatientTagToSite: 'SRV',
  InviteClinician: 'SRV ADM',
  ResendInvite: 'SRV ADM',
  DeleteInvite: 'SRV ADM',
  GetClinicianInvite: 'SRV ADM',
  AssociateClinicianToUser: 'SRV',
  DeleteInvitedClinician: 'SRV',
  GetInvitedClinician: 'SRV',
  GetPatientInvites: 'SRV REC',
  AcceptPatientInvitation: 'SRV REC',
  UpdatePatientReviews: 'MEM',
  DeletePatientReviews: 'MEM',
  UpdatePatientPermissions: 'SELF',
  DeletePatientPermission: 'SELF SRV:custodian',
  ListClinicsForPatient: 'SRV SELF',
  ListClinicianInvites: 'SELF',
  DismissClinicianInvite: 'SELF',
  AcceptClinicianInvite: 'SELF',
  ListClinicsForClinician: 'SRV SELF',
  MigrateLegacyClinicianPatients: 'SRV',
  ListMigrations: 'SRV MEM',
  EnableNewClinicExperience: 'SRV',
  TriggerInitialMigration: 'ADM',
  GetMigration: 'SRV MEM',
  UpdateMigration: 'SRV',
  DeleteUserFromClinics: 'SRV',
  UpdateClinicUserDetails: 'SRV',
  ListAllClinicians: 'SRV',
  UpdatePatientSummary: 'SRV',
  DeletePatientSummary: 'SRV',
  UpdatePatientDataSources: 'SRV',
  UpdateTier: 'SRV',
  UpdateSuppressedNotifications: 'ADM',
  SendUploadReminder: 'MEM',
  AssignPatientTagToClinicPatients: 'SRV ADM',
  DeletePatientTagFromClinicPatients: 'SRV ADM',
  ListMembershipRestrictions: 'SRV ADM',
  UpdateMembershipRestrictions: 'SRV',
  ProcessEHRMessage: 'PUBLIC',
  VerifyEndpoint: 'PUBLIC',
  GetEHRSettings: 'SRV MEM',
  UpdateEHRSettings: 'SRV',
  MatchClinicAndPatient: 'SRV',
  GetMRNSettings: 'SRV MEM',
  UpdateMRNSettings: 'SRV',
  GetPatientCountSettings: 'SRV MEM',
  UpdatePatientCountSettings: 'SRV',
  GetPatientCount: 'SRV MEM',
  RefreshPatientCount: 'SRV',
  SyncEHRData: 'SRV',
  FindPatients: 'USR',
  XealthPreorder: 'PUBLIC',
  XealthGetPrograms: 'PUBLIC',
  XealthGetProgramUrl: 'PUBLIC',
  XealthNotification: 'PUBLIC',
  ViewPDFReport: 'PUBLIC',
  AddServiceAccount: 'SRV',
  SyncEHRDataForPatient: 'SRV',
  GenerateMergeReport: 'SRV',
  MergeClinic: 'SRV',
  ConnectProvider: 'SRV MEM',
};

type Caller = keyof MatrixFixture['tokens'];
const USERS: Caller[] = ['userNoRole', 'member', 'admin', 'prescriber', 'pathUser', 'otherUser'];
const CALLERS: Caller[] = ['server', ...USERS];

/** The caller kinds a rule string lets through. */
function allowedCallers(rule: string): Set<Caller> {
  const allowed = new Set<Caller>();
  for (const term of rule.split(' ')) {
    if (term === 'SRV' || term === 'SRV:custodian') allowed.add('server');
    else if (term === 'USR') USERS.forEach((caller) => allowed.add(caller));
    else if (term === 'MEM') ['member', 'admin'].forEach((caller) => allowed.add(caller as Caller));
    else if (term === 'ADM') allowed.add('admin');
    else if (term === 'REC') ['member', 'admin', 'prescriber'].forEach((caller) => allowed.add(caller as Caller));
    else if (term === 'SELF') allowed.add('pathUser');
    else throw new Error(`unknown rule term ${term}`);
  }
  return allowed;
}

interface ContractOperation {
  operationId: string;
  method: string;
  path: string;
}

const CONTRACT = loadContract(
  resolve(process.env.CONTRACT_SPEC ?? resolve(__dirname, '../../../../shared/spec/clinic.v1.yaml')),
);

function contractOperations(doc: OpenApiDoc): ContractOperation[] {
  const operations: ContractOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation?.operationId) operations.push({ operationId: operation.operationId, method, path });
    }
  }
  return operations;
}

const notImplemented = new Set(readNotImplementedList(resolve(__dirname, '../../contract/not-implemented.txt')));
const implemented = contractOperations(CONTRACT).filter((operation) => !notImplemented.has(operation.operationId));

function urlFor(operation: ContractOperation, fixture: MatrixFixture): string {
  const values: Record<string, string> = {
    clinicId: fixture.clinicId,
    userId: fixture.pathUserId,
    patientId: fixture.pathUserId,
    clinicianId: fixture.pathUserId,
    inviteId: 'matrixinvite',
    patientTagId: newObjectId(),
    siteId: newObjectId(),
    summaryId: newObjectId(),
    providerId: 'dexcom',
    permission: 'custodian',
    shareCode: 'ABCD-EFGH-JKLM',
  };
  return operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (!(name in values)) throw new Error(`no matrix value for path parameter ${name}`);
    return values[name];
  });
}

describe('authorization matrix (authz.md §4)', () => {
  const t = useTestApp();

  it('should have a rule for every contract operation, and only for those', () => {
    const ids = contractOperations(CONTRACT).map((operation) => operation.operationId);
    expect(Object.keys(RULES).sort()).toEqual([...ids].sort());
  });

  it('should report its size', () => {
    const size = implemented.length * (CALLERS.length + 2);
    console.log(
      `authorization matrix: ${implemented.length} implemented operations × ${CALLERS.length + 2} caller kinds = ${size} checks`,
    );
    expect(implemented.length).toBeGreaterThanOrEqual(0);
  });

  if (implemented.length === 0) return;

  describe.each(implemented.map((operation) => [operation.operationId, operation] as const))('%s', (_id, operation) => {
    const rule = RULES[operation.operationId];
    const isPublic = rule === 'PUBLIC';
    const allowed = isPublic ? new Set<Caller>(CALLERS) : allowedCallers(rule);
    const call = (fixture: MatrixFixture, token?: string) =>
      t.call(operation.method, urlFor(operation, fixture), {
        token,
        ...(['post', 'put', 'patch'].includes(operation.method) ? { body: {} } : {}),
      });

    if (!isPublic) {
      it('should answer 400 without a token and 401 with an invalid one', async () => {
        const fixture = await createMatrixFixture(t);
        expectError(await call(fixture), 400, 'session token is missing');
        expectError(await call(fixture, 'not-a-valid-token'), 401, 'session token is invalid');
      });
    } else {
      it('should not ask for a session token (the route protects itself)', async () => {
        const fixture = await createMatrixFixture(t);
        for (const token of [undefined, 'not-a-valid-token']) {
          const res = await call(fixture, token);
          expect((res.body as { message?: string } | undefined)?.message).not.toMatch(/^session token is/);
          expect(res.status).not.toBe(403);
        }
      });
    }

    it(`should deny ${CALLERS.filter((caller) => !allowed.has(caller)).join(', ') || 'nobody'}`, async () => {
      const fixture = await createMatrixFixture(t);
      for (const caller of CALLERS.filter((kind) => !allowed.has(kind))) {
        const res = await call(fixture, fixture.tokens[caller]);
        expect({ caller, status: res.status }).toEqual({ caller, status: 403 });
        expectError(res, 403, FORBIDDEN_MESSAGE);
      }
    });

    it.each([...allowed].map((caller) => [caller]))('should let %s past authorization', async (caller) => {
      // A fresh clinic for each allowed caller: an allowed call may change or delete it.
      const fixture = await createMatrixFixture(t);
      const res = await call(fixture, fixture.tokens[caller]);
      expect({ caller, status: res.status }).not.toEqual({ caller, status: 403 });
      // A public route may answer its own 401 (a webhook secret), never the session token's.
      if (isPublic) expect((res.body as { message?: string } | undefined)?.message).not.toMatch(/^session token is/);
      else expect(res.status).not.toBe(401);
    });
  });
});
