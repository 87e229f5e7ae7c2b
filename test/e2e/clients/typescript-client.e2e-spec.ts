import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Types } from 'mongoose';
import { ClinicsOperations, createClinicsClient, ErrorEnvelope } from '../../../clients/typescript/src';
import { useTestApp } from '../../support/test-app';

const DOCUMENT_PATH = resolve(__dirname, '../../../openapi/clinic.json');

/** The generated client against the real service, listening on a port of its own. */
describe('TypeScript client', () => {
  const t = useTestApp();
  let baseUrl: string;

  beforeAll(async () => {
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });

  async function clientOfNewUser(): Promise<{ clinics: ClinicsOperations; userId: string }> {
    const user = await t.users.create();
    return { clinics: createClinicsClient({ baseUrl, token: user.token }), userId: user.userId };
  }

  it('should expose every operation of the committed document by its operationId', () => {
    const document = JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')) as {
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    const operationIds = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((operation) => operation.operationId),
    );
    const client = createClinicsClient({ baseUrl });
    expect(Object.keys(client).sort()).toEqual([...operationIds].sort());
    for (const operationId of operationIds)
      expect(typeof client[operationId as keyof ClinicsOperations]).toBe('function');
  });

  it('should create a clinic, invite a clinician, and create and list patients', async () => {
    const { clinics, userId } = await clientOfNewUser();

    const created = await clinics.CreateClinic({ body: { name: 'Client Clinic', preferredBgUnits: 'mmol/L' } });
    expect(created.response.status).toBe(200);
    const clinic = created.data!;
    expect(clinic).toMatchObject({ name: 'Client Clinic', preferredBgUnits: 'mmol/L' });
    expect(created.response.headers.get('x-request-id')).toBeTruthy();
    const clinicId = clinic.id;
    const storedClinic = await t.connection.collection('clinics').findOne({ _id: new Types.ObjectId(clinicId) });
    expect(storedClinic).toMatchObject({ name: 'Client Clinic' });
    // The creator (whose token the client sent) is the clinic's admin.
    const admins = await clinics.ListClinicians({ params: { path: { clinicId }, query: { role: 'CLINIC_ADMIN' } } });
    expect(admins.data?.map((clinician) => clinician.id)).toEqual([userId]);

    const invited = await clinics.InviteClinician({
      params: { path: { clinicId } },
      body: { email: 'invitee@example.com', roles: ['CLINIC_MEMBER'] },
    });
    expect(invited.response.status).toBe(200);
    expect(invited.data).toMatchObject({ email: 'invitee@example.com', roles: ['CLINIC_MEMBER'] });
    const inviteId = invited.data!.inviteId!;
    expect(await t.connection.collection('confirmations').findOne({ _id: inviteId as never })).toMatchObject({
      clinicId,
      email: 'invitee@example.com',
      status: 'pending',
    });
    expect(
      await t.connection.collection('clinicians').countDocuments({ clinicId: new Types.ObjectId(clinicId), inviteId }),
    ).toBe(1);

    const names = ['Client Patient One', 'Client Patient Two'];
    const patientIds: string[] = [];
    for (const fullName of names) {
      const patient = await clinics.CreatePatientAccount({
        params: { path: { clinicId } },
        body: { fullName, birthDate: '2012-08-30' },
      });
      expect(patient.response.status).toBe(200);
      expect(patient.data).toMatchObject({ fullName, birthDate: '2012-08-30' });
      patientIds.push(patient.data!.id);
    }
    expect(
      await t.connection
        .collection('patients')
        .countDocuments({ clinicId: new Types.ObjectId(clinicId), userId: { $in: patientIds } }),
    ).toBe(2);

    const listed = await clinics.ListPatients({
      params: { path: { clinicId }, query: { sort: '+fullName', sortType: 'cgm', limit: 10 } },
    });
    expect(listed.error).toBeUndefined();
    expect(listed.response.status).toBe(200);
    expect(listed.data?.data.map((patient) => patient.fullName)).toEqual(names);
    expect(listed.data?.meta.count).toBe(2);
  });

  it('should give the error envelope, typed, when the service refuses', async () => {
    const { clinics } = await clientOfNewUser();
    const missing = new Types.ObjectId().toHexString();

    const { data, error, response } = await clinics.GetClinic({ params: { path: { clinicId: missing } } });
    expect(response.status).toBe(404);
    expect(data).toBeUndefined();
    const envelope: ErrorEnvelope | undefined = error;
    expect(envelope).toEqual({ code: 404, message: 'clinic not found' });

    // Without a token the request is refused before anything else.
    const anonymous = createClinicsClient({ baseUrl });
    const refused = await anonymous.CreateClinic({ body: { name: 'Nobody', preferredBgUnits: 'mg/dL' } });
    expect(refused.response.status).toBe(400);
    expect(refused.error?.code).toBe(400);
    expect(typeof refused.error?.message).toBe('string');
    expect(await t.connection.collection('clinics').countDocuments({ name: 'Nobody' })).toBe(0);
  });
});
