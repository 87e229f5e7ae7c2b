import { Types } from 'mongoose';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import {
  counts,
  createScenarioClinic,
  enroll,
  getProgramsRequest,
  getProgramUrlRequest,
  putXealthSettings,
  xealth,
  xealthApp,
  useXealthStub,
  clinicsSharingDeployment,
} from './xealth.fixtures';

describe('XealthGetPrograms and XealthGetProgramUrl', () => {
  const stub = useXealthStub();
  const t = useTestApp(xealthApp(stub));
  let clinicId: string;
  let clinicianToken: string;
  const enrolledMrn = 'enrolled-mrn';

  beforeAll(async () => {
    const created = await createScenarioClinic(t);
    clinicId = created.clinicId;
    clinicianToken = created.admin.token;
    await putXealthSettings(t, clinicId);
    await enroll(t, stub(), 'order-programs', { patient: { email: 'programs@example.com' } }, { mrn: enrolledMrn });
  });

  async function addPatient(mrn: string, birthDate = '1985-01-11'): Promise<string> {
    const res = await t.call<any>('POST', `/v1/clinics/${clinicId}/patients`, {
      token: clinicianToken,
      body: { fullName: 'Someone', birthDate, mrn },
    });
    expect(res.status).toBe(200);
    return res.body.id as string;
  }

  describe('XealthGetPrograms', () => {
    it('should answer {present: false} for an unknown deployment or patient, or another birth date', async () => {
      for (const values of [
        { deployment: 'nowhere' },
        { mrn: 'unknown' },
        { mrn: enrolledMrn, birthDate: '1985-01-12' },
      ]) {
        const res = await xealth(t, 'PUT', 'programs', getProgramsRequest(values));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ present: false });
      }
    });

    it('should answer {present: false} for a patient without a Xealth subscription', async () => {
      await addPatient('unsubscribed');
      expect((await xealth(t, 'PUT', 'programs', getProgramsRequest({ mrn: 'unsubscribed' }))).body).toEqual({
        present: false,
      });
    });

    it('should answer the program of an enrolled patient', async () => {
      const res = await xealth(t, 'PUT', 'programs', getProgramsRequest({ mrn: enrolledMrn }));
      expect(res.body).toEqual({
        present: true,
        programs: [
          {
            title: 'Tidepool',
            programId: '100',
            enrolledDate: '2021-01-14',
            has_alert: false,
            hasStatusView: false,
            description: 'Last Upload: N/A | Last Viewed by You: N/A | Claimed Account?: No | Cloud Connections: None',
          },
        ],
      });
    });

    it('should say the account is claimed once the custodian permission is gone', async () => {
      const filter = { clinicId: new Types.ObjectId(clinicId), mrn: enrolledMrn };
      await t.connection.collection('patients').updateOne(filter, { $unset: { 'permissions.custodian': '' } });
      const res = await xealth(t, 'PUT', 'programs', getProgramsRequest({ mrn: enrolledMrn }));
      expect(res.body.programs[0].description).toContain('Claimed Account?: Yes');
      await t.connection.collection('patients').updateOne(filter, { $set: { 'permissions.custodian': {} } });
    });

    it('should answer 400 without datasets or demographics (the original crashed)', async () => {
      expectError(
        await xealth(t, 'PUT', 'programs', { ...getProgramsRequest(), datasets: undefined }),
        400,
        'bad request: datasets is missing',
      );
      expectError(
        await xealth(t, 'PUT', 'programs', { ...getProgramsRequest(), datasets: {} }),
        400,
        'bad request: demographics dataset is missing',
      );
      expectError(
        await xealth(t, 'PUT', 'programs', ['text']),
        400,
        'bad request: the request body must be a JSON object',
      );
    });

    it('should answer 422 for two patients with the MRN and birth date, 409 for two clinics', async () => {
      await addPatient('double');
      await addPatient('double');
      expectError(
        await xealth(t, 'PUT', 'programs', getProgramsRequest({ mrn: 'double' })),
        422,
        'constraint violation: multiple matching patients found',
      );
      await clinicsSharingDeployment(t, 'two-clinics');
      expectError(
        await xealth(t, 'PUT', 'programs', getProgramsRequest({ deployment: 'two-clinics' })),
        409,
        'duplicate: multiple matching clinics found',
      );
    });
  });

  describe('XealthGetProgramUrl', () => {
    it('should answer 404 for an unknown deployment or patient', async () => {
      expectError(
        await xealth(t, 'PUT', 'program', getProgramUrlRequest({ deployment: 'nowhere' })),
        404,
        "not found: couldn't find a matching clinic",
      );
      expectError(
        await xealth(t, 'PUT', 'program', getProgramUrlRequest({ mrn: 'unknown' })),
        404,
        'patient not found',
      );
    });

    it('should answer 400 without datasets and 422 for two patients, writing nothing', async () => {
      const before = await counts(t, clinicId);
      expectError(
        await xealth(t, 'PUT', 'program', { ...getProgramUrlRequest(), datasets: undefined }),
        400,
        'bad request: datasets is missing',
      );
      expectError(
        await xealth(t, 'PUT', 'program', getProgramUrlRequest({ mrn: 'double' })),
        422,
        'constraint violation: multiple matching patients found',
      );
      expect(await counts(t, clinicId)).toEqual(before);
      expect(await t.connection.collection('restricted_tokens').countDocuments()).toBe(0);
    });

    it('should give each call a new restricted token of the patient', async () => {
      const first = await xealth(t, 'PUT', 'program', getProgramUrlRequest({ mrn: enrolledMrn }));
      const second = await xealth(t, 'PUT', 'program', getProgramUrlRequest({ mrn: enrolledMrn }));
      const tokenOf = (res: any) => new URL(res.body.url).searchParams.get('restricted_token');
      expect(tokenOf(first)).toMatch(/^[0-9a-f]{32}$/);
      expect(tokenOf(first)).not.toBe(tokenOf(second));
      expect(await t.connection.collection('xealth_report_view').countDocuments()).toBe(2);
    });

    it('should record no view when the request names no EHR user', async () => {
      const before = await t.connection.collection('xealth_report_view').countDocuments();
      const request: any = getProgramUrlRequest({ mrn: enrolledMrn });
      delete request.datasets.ehrUserV1;
      const res = await xealth(t, 'PUT', 'program', request);
      expect(res.status).toBe(200);
      expect(res.body.url).toMatch(
        /^https:\/\/integration\.test\.app\.url\.com\/v1\/xealth\/report\/web\/viewer\.html\?/,
      );
      expect(await t.connection.collection('xealth_report_view').countDocuments()).toBe(before);
    });
  });
});
