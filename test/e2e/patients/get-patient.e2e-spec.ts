import { Types } from 'mongoose';
import { addClinician, createClinic } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials, ISO_DATE_TIME } from '../clinics/expectations';

describe('GetPatient — GET /v1/clinics/{clinicId}/patients/{patientId}', () => {
  const t = useTestApp();

  it('should deny prescribers, plain users, the patient themself and other clinics’ members', async () => {
    const { clinicId } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
    const other = await createClinic(t);
    const outsider = await t.users.create();
    await expectDenials((token) => t.call('GET', `/v1/clinics/${clinicId}/patients/${patient.userId}`, { token }), {
      prescriber: prescriber.token,
      user: outsider.token,
      patientThemself: patient.token,
      otherClinicAdmin: other.admin.token,
    });
  });

  it('should answer patient.v1 to members, admins and servers', async () => {
    const { clinicId, admin } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const patient = await addUserPatient(t, clinicId, {
      fullName: 'Gail Getter',
      profile: { patient: { fullName: 'Gail Getter', birthday: '2001-02-03', mrn: 'G-1', targetDevices: ['g6'] } },
    });
    for (const token of [member.token, admin.token, await t.tokens.server()]) {
      const res = await t.call('GET', `/v1/clinics/${clinicId}/patients/${patient.userId}`, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: patient.userId,
        fullName: 'Gail Getter',
        birthDate: '2001-02-03',
        email: patient.email.toLowerCase(),
        mrn: 'G-1',
        targetDevices: ['g6'],
        permissions: { view: {}, upload: {} },
        tags: null,
        dataSources: null,
        reviews: [],
        sites: [],
        connectionRequests: { abbott: [], dexcom: [], twiist: [] },
        createdTime: expect.stringMatching(ISO_DATE_TIME),
        updatedTime: expect.stringMatching(ISO_DATE_TIME),
      });
    }
  });

  it('should render stored values by the response rules (decisions.md §2)', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const tag = new Types.ObjectId();
    const site = new Types.ObjectId();
    const source = new Types.ObjectId();
    await t.connection.collection('patients').updateOne(
      { clinicId: new Types.ObjectId(clinicId), userId: patient.userId },
      {
        $set: {
          birthDate: '',
          email: null,
          mrn: null,
          targetDevices: null,
          fullName: null,
          tags: [tag],
          sites: [{ id: site, name: 'North', patients: 3 }],
          dataSources: [
            {
              providerName: 'dexcom',
              state: 'connected',
              dataSourceId: source,
              modifiedTime: new Date('2024-02-02T02:02:02.000Z'),
            },
          ],
          reviews: [{ clinicianId: admin.userId, time: new Date('2024-03-03T03:03:03.000Z') }],
          lastRequestedDexcomConnectTime: new Date('2024-01-01T00:00:00.000Z'),
          providerConnectionRequests: {
            twiist: [{ providerName: 'twiist', createdTime: new Date('2024-04-04T04:04:04.000Z') }],
          },
          lastUploadReminderTime: new Date('2024-05-05T05:05:05.000Z'),
          glycemicRanges: { type: 'preset', preset: 'adaHighRisk' },
          diagnosisType: '',
          summary: { cgmStats: { id: 'abc', dates: { lastData: new Date('2024-06-06T06:06:06.000Z') } } },
        },
      },
    );

    const res = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients/${patient.userId}`, {
      token: admin.token,
    });

    expect(res.status).toBe(200);
    expect(res.body).not.toHaveProperty('birthDate');
    expect(res.body).not.toHaveProperty('email');
    expect(res.body).not.toHaveProperty('mrn');
    expect(res.body).not.toHaveProperty('targetDevices');
    expect(res.body).not.toHaveProperty('diagnosisType');
    expect(res.body).not.toHaveProperty('attestationSubmitted');
    expect(res.body).toMatchObject({
      fullName: '',
      tags: [tag.toHexString()],
      sites: [{ id: site.toHexString(), name: 'North' }],
      dataSources: [
        {
          providerName: 'dexcom',
          state: 'connected',
          dataSourceId: source.toHexString(),
          modifiedTime: '2024-02-02T02:02:02.000Z',
        },
      ],
      reviews: [{ clinicianId: admin.userId, time: '2024-03-03T03:03:03.000Z' }],
      connectionRequests: {
        abbott: [],
        dexcom: [{ providerName: 'dexcom', createdTime: '2024-01-01T00:00:00.000Z' }],
        twiist: [{ providerName: 'twiist', createdTime: '2024-04-04T04:04:04.000Z' }],
      },
      lastUploadReminderTime: '2024-05-05T05:05:05.000Z',
      glycemicRanges: { type: 'preset', preset: 'adaHighRisk' },
      summary: { cgmStats: { id: 'abc', dates: { lastData: '2024-06-06T06:06:06.000Z' } } },
    });
    expect(res.body.sites[0]).not.toHaveProperty('patients');
    expect(res.body.sites[0]).not.toHaveProperty('numPatients');
  });

  it('should leave out unrecognised glycemic ranges and answer custom ones', async () => {
    const { clinicId, admin } = await createClinic(t);
    const unknown = await addUserPatient(t, clinicId);
    const custom = await addUserPatient(t, clinicId);
    const filter = (userId: string) => ({ clinicId: new Types.ObjectId(clinicId), userId });
    await t.connection
      .collection('patients')
      .updateOne(filter(unknown.userId), { $set: { glycemicRanges: { type: 'preset', preset: 'madeUp' } } });
    const thresholds = [{ name: 'low', upperBound: { value: 70, units: 'mg/dL' }, inclusive: true }];
    await t.connection.collection('patients').updateOne(filter(custom.userId), {
      $set: { glycemicRanges: { type: 'custom', custom: { name: 'c', thresholds } } },
    });

    const first = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients/${unknown.userId}`, {
      token: admin.token,
    });
    const second = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients/${custom.userId}`, {
      token: admin.token,
    });

    expect(first.body).not.toHaveProperty('glycemicRanges');
    expect(second.body.glycemicRanges).toEqual({ type: 'custom', custom: { name: 'c', thresholds } });
  });

  it('should answer 404 for a user who is not a patient of the clinic', async () => {
    const { clinicId, admin } = await createClinic(t);
    const res = await t.call('GET', `/v1/clinics/${clinicId}/patients/abcdef0123`, { token: admin.token });
    expectError(res, 404, 'patient not found');
  });

  it('should answer 404 to a server for a clinic that does not exist', async () => {
    const res = await t.call('GET', `/v1/clinics/${new Types.ObjectId().toHexString()}/patients/abcdef0123`, {
      token: await t.tokens.server(),
    });
    expectError(res, 404, 'patient not found');
  });

  it('should answer 400 for a malformed patient id', async () => {
    const { clinicId, admin } = await createClinic(t);
    const res = await t.call('GET', `/v1/clinics/${clinicId}/patients/not-a-user`, { token: admin.token });
    expectValidationError(res, 'patientId');
  });
});
