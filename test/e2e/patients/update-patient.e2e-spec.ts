import { Types } from 'mongoose';
import { addClinician, createClinic, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import {
  addCustodialPatient,
  addUserPatient,
  expectCountsExact,
  findPatientDocument,
} from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('UpdatePatient — PUT /v1/clinics/{clinicId}/patients/{patientId}', () => {
  const t = useTestApp();

  const update = (clinicId: string, userId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('PUT', `/v1/clinics/${clinicId}/patients/${userId}`, { token, body });
  const setRaw = (clinicId: string, userId: string, fields: Record<string, unknown>) =>
    t.connection.collection('patients').updateOne({ clinicId: new Types.ObjectId(clinicId), userId }, { $set: fields });

  it('should deny prescribers, plain users, the patient themself and other clinics’ admins, changing nothing', async () => {
    const { clinicId } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
    const other = await createClinic(t);
    const outsider = await t.users.create();
    const before = await findPatientDocument(t, clinicId, patient.userId);
    await expectDenials(
      (token) => update(clinicId, patient.userId, token, { fullName: 'Changed', birthDate: '2000-01-01' }),
      {
        prescriber: prescriber.token,
        user: outsider.token,
        patientThemself: patient.token,
        otherClinicAdmin: other.admin.token,
      },
    );
    expect(await findPatientDocument(t, clinicId, patient.userId)).toEqual(before);
  });

  it('should replace the always-replaced fields and keep the kept-when-omitted ones', async () => {
    const { clinicId } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const patient = await addUserPatient(t, clinicId, {
      profile: { patient: { fullName: 'Old Name', birthday: '2001-01-01', mrn: 'OLD', targetDevices: ['a'] } },
    });
    const tag = new Types.ObjectId();
    const site = { id: new Types.ObjectId(), name: 'Kept Site' };
    const review = { clinicianId: member.userId, time: new Date('2024-01-01T00:00:00.000Z') };
    const sources = [{ providerName: 'dexcom', state: 'connected' }];
    await setRaw(clinicId, patient.userId, {
      tags: [tag],
      sites: [site],
      dataSources: sources,
      reviews: [review],
      glycemicRanges: { type: 'preset', preset: 'adaHighRisk' },
      diagnosisType: 'type2',
      summary: { cgmStats: { id: 'keep' } },
      lastUploadReminderTime: new Date('2024-02-02T00:00:00.000Z'),
    });
    const before = await findPatientDocument(t, clinicId, patient.userId);

    const res = await update(clinicId, patient.userId, member.token, {
      fullName: 'New Name',
      birthDate: '2002-02-02',
      permissions: { custodian: {} },
      id: 'ffffffffff',
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: patient.userId,
      fullName: 'New Name',
      birthDate: '2002-02-02',
      tags: [tag.toHexString()],
      sites: [{ id: site.id.toHexString(), name: 'Kept Site' }],
      dataSources: sources,
      reviews: [{ clinicianId: member.userId, time: '2024-01-01T00:00:00.000Z' }],
      glycemicRanges: { type: 'preset', preset: 'adaHighRisk' },
      diagnosisType: 'type2',
      permissions: { view: {}, upload: {} },
      summary: { cgmStats: { id: 'keep' } },
    });
    expect(res.body).not.toHaveProperty('email');
    expect(res.body).not.toHaveProperty('mrn');
    expect(res.body).not.toHaveProperty('targetDevices');
    const after = await findPatientDocument(t, clinicId, patient.userId);
    expect(after).toMatchObject({
      fullName: 'New Name',
      fullNameKey: 'new name',
      email: null,
      mrn: null,
      targetDevices: null,
      requireUniqueMrn: false,
      createdTime: before.createdTime,
    });
    expect(after).not.toHaveProperty('mrnLower');
    expect(after.updatedTime.getTime()).toBeGreaterThan(before.updatedTime.getTime());
  });

  it('should replace tags, sites, data sources, reviews, glycemic ranges and diagnosis type when sent', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const site = { id: new Types.ObjectId(), name: 'Clinic Site' };
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { sites: [site] } });
    await setRaw(clinicId, patient.userId, {
      tags: [new Types.ObjectId()],
      dataSources: [{ providerName: 'abbott', state: 'error' }],
    });
    const tag = newObjectId();

    const res = await update(clinicId, patient.userId, admin.token, {
      fullName: 'Replaced',
      birthDate: '2003-03-03',
      email: 'New.Mail@Example.com',
      mrn: 'M-3',
      targetDevices: ['t:slim'],
      tags: [tag],
      sites: [{ id: site.id.toHexString() }],
      dataSources: [{ providerName: 'twiist', state: 'connected' }],
      reviews: [{ clinicianId: admin.userId, time: '2024-06-01T00:00:00Z' }],
      glycemicRanges: {
        type: 'custom',
        custom: { name: 'mine', thresholds: [{ name: 'x', upperBound: { value: 180, units: 'mg/dL' } }] },
      },
      diagnosisType: '',
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      email: 'new.mail@example.com',
      mrn: 'M-3',
      targetDevices: ['t:slim'],
      tags: [tag],
      sites: [{ id: site.id.toHexString(), name: 'Clinic Site' }],
      dataSources: [{ providerName: 'twiist', state: 'connected' }],
      reviews: [{ clinicianId: admin.userId, time: '2024-06-01T00:00:00.000Z' }],
      glycemicRanges: {
        type: 'custom',
        custom: { name: 'mine', thresholds: [{ name: 'x', upperBound: { value: 180, units: 'mg/dL' } }] },
      },
    });
    expect(res.body).not.toHaveProperty('diagnosisType');
    expect(await findPatientDocument(t, clinicId, patient.userId)).toMatchObject({
      diagnosisType: '',
      mrnLower: 'm-3',
    });
    // A twiist data source takes the patient out of the plan count.
    await expectCountsExact(t, clinicId);

    const cleared = await update(clinicId, patient.userId, admin.token, {
      fullName: 'Replaced',
      birthDate: '2003-03-03',
      tags: [],
      sites: [],
      dataSources: [],
      reviews: [],
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ tags: null, sites: [], dataSources: null });
    expect(cleared.body.reviews).toHaveLength(1);
    expect(await findPatientDocument(t, clinicId, patient.userId)).toMatchObject({
      tags: [],
      sites: [],
      dataSources: null,
    });
    await expectCountsExact(t, clinicId);
  });

  it('should deactivate EHR subscriptions when the MRN changes, and only then', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId, {
      profile: { patient: { mrn: 'SAME', birthday: '2000-01-01' } },
    });
    const subscription = { active: true, provider: 'redox', matchedMessages: [] };
    await setRaw(clinicId, patient.userId, { ehrSubscriptions: { summaryAndReports: subscription } });
    const body = { fullName: 'E H R', birthDate: '2000-01-01' };

    await update(clinicId, patient.userId, admin.token, { ...body, mrn: 'SAME' });
    expect((await findPatientDocument(t, clinicId, patient.userId)).ehrSubscriptions.summaryAndReports.active).toBe(
      true,
    );

    await update(clinicId, patient.userId, admin.token, { ...body, mrn: 'OTHER' });
    expect((await findPatientDocument(t, clinicId, patient.userId)).ehrSubscriptions).toEqual({
      summaryAndReports: { ...subscription, active: false },
    });
  });

  it('should change a custodial patient’s e-mail in the user directory, and refuse a taken one with 409', async () => {
    const { clinicId, admin } = await createClinic(t);
    const custodial = await addCustodialPatient(t, clinicId, admin.token, { email: 'first@example.com' });
    const taken = await t.users.create({ email: 'taken.by.someone@example.com' });
    const body = { fullName: 'Cora Custodial', birthDate: '2015-06-07' };

    const changed = await update(clinicId, custodial.id, admin.token, { ...body, email: 'Second@Example.com' });
    expect(changed.status).toBe(200);
    expect(changed.body.email).toBe('second@example.com');
    expect(await t.connection.collection('users').findOne({ userId: custodial.id })).toMatchObject({
      emailKey: 'second@example.com',
    });

    const refused = await update(clinicId, custodial.id, admin.token, { ...body, email: taken.emails[0] });
    expectError(refused, 409, 'duplicate: email address is already taken');
    expect((await findPatientDocument(t, clinicId, custodial.id)).email).toBe('second@example.com');
    expect(await t.connection.collection('users').findOne({ userId: custodial.id })).toMatchObject({
      emailKey: 'second@example.com',
    });
  });

  it('should not touch the user directory for a patient who shares their own account', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const res = await update(clinicId, patient.userId, admin.token, {
      fullName: 'Own Account',
      birthDate: '2000-01-01',
      email: 'clinic.knows.me.as@example.com',
    });
    expect(res.status).toBe(200);
    expect(await t.connection.collection('users').findOne({ userId: patient.userId })).toMatchObject({
      emailKey: patient.email.toLowerCase(),
    });
  });

  it('should refuse an empty body with 400 naming fullName and birthDate, changing nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const before = await findPatientDocument(t, clinicId, patient.userId);

    expectValidationError(await update(clinicId, patient.userId, admin.token), 'fullName', 'birthDate');
    expectValidationError(
      await update(clinicId, patient.userId, admin.token, { fullName: 'X', birthDate: '2000-01-01', email: 'bad' }),
      'email',
    );

    expect(await findPatientDocument(t, clinicId, patient.userId)).toEqual(before);
  });

  it('should refuse a site the clinic does not have with 422, changing nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    const patient = await addUserPatient(t, clinicId);
    const before = await findPatientDocument(t, clinicId, patient.userId);
    const res = await update(clinicId, patient.userId, admin.token, {
      fullName: 'Site Less',
      birthDate: '2000-01-01',
      sites: [{ id: newObjectId() }],
    });
    expectError(res, 422, 'constraint violation: the clinic has no site with that name');
    expect(await findPatientDocument(t, clinicId, patient.userId)).toEqual(before);
  });

  it('should answer 404 for a user who is not a patient of the clinic', async () => {
    const { clinicId, admin } = await createClinic(t);
    const res = await update(clinicId, 'abcdef0123', admin.token, { fullName: 'Nobody', birthDate: '2000-01-01' });
    expectError(res, 404, 'patient not found');
  });
});
