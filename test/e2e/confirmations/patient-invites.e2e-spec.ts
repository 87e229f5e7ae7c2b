import { Types } from 'mongoose';
import { addClinician, createClinic, CreatedClinic, SeededClinician } from '../../support/builders';
import { countBy } from '../../support/count-by';
import { expectError, expectValidationError, FORBIDDEN_MESSAGE } from '../../support/expect-error';
import { findPatientDocument, findPatientDocuments, setMrnSettings } from '../../support/patient-builders';
import { useMailTestApp } from '../../support/smtp-sink';
import { expectDenials } from '../clinics/expectations';

const WEB_URL = 'https://app.example.test';
const NO_MATCH = 'No matching invite was found';
const FORBIDDEN_OPERATION = 'Forbidden to perform requested operation';
const SUBJECT = 'New Tidepool share invitation received';
const DAY_MS = 24 * 60 * 60 * 1000;

interface Patient {
  userId: string;
  token: string;
  email: string;
}

interface Clinic extends CreatedClinic {
  shareCode: string;
  member: SeededClinician & { email: string };
}

describe('patient invites (patients sharing with a clinic)', () => {
  const mail = useMailTestApp(WEB_URL);
  const t = mail.app;
  let server: string;
  let counter = 0;
  beforeAll(async () => {
    server = await t.tokens.server('orca');
  });

  const unique = () => `${Date.now().toString(36)}${++counter}`;

  async function newClinic(overrides: Record<string, unknown> = {}): Promise<Clinic> {
    const created = await createClinic(t, { name: `Clinic ${unique()}`, ...overrides });
    const member = await addClinician(t, created.clinicId, ['CLINIC_MEMBER']);
    return { ...created, shareCode: created.clinic.shareCode as string, member };
  }

  async function newPatient(fullName = 'Pat Patient'): Promise<Patient> {
    const user = await t.users.create({
      roles: [],
      email: `patient-${unique()}@example.com`,
      fullName,
      profile: { fullName, patient: { birthday: '2010-04-05' } },
    });
    return { userId: user.userId, token: user.token, email: user.emails[0] };
  }

  const shareUrl = (userId: string) => `/confirm/send/invite/${userId}/clinic`;
  const share = (patient: Patient, clinic: Clinic, permissions: unknown = { view: {}, upload: {} }, token?: string) =>
    t.call<any>('POST', shareUrl(patient.userId), {
      token: token ?? patient.token,
      body: { shareCode: clinic.shareCode, permissions },
    });

  async function shared(patient: Patient, clinic: Clinic, permissions?: unknown): Promise<string> {
    const res = await share(patient, clinic, permissions);
    expect(res.status).toBe(200);
    return res.body.key as string;
  }

  const invitesUrl = (clinicId: string) => `/v1/clinics/${clinicId}/invites/patients`;
  const inviteUrl = (clinicId: string, key: string) => `/v1/clinics/${clinicId}/invites/patients/${key}`;
  const accept = (clinic: Clinic, key: string, body?: unknown, token = clinic.member.token) =>
    t.call<any>('PUT', inviteUrl(clinic.clinicId, key), { token, ...(body !== undefined ? { body } : {}) });
  const remove = (clinicId: string, key: string, token?: string) =>
    t.call('DELETE', inviteUrl(clinicId, key), { token });

  const confirmations = () => t.connection.collection('confirmations');
  const confirmation = (key: string): Promise<any> => confirmations().findOne({ _id: key as never });
  const sharesOf = (userId: string) => confirmations().find({ creatorId: userId }).toArray();
  const mailsTo = (address: string) =>
    mail.smtp.messages.filter((message) => message.to.some((to) => to.toLowerCase() === address.toLowerCase()));

  it('should declare the indexes the share queries lead with (one open share per patient and clinic)', async () => {
    // `sparse` is declared too; FerretDB does not report it (a missing field never collides there anyway).
    const indexes = await confirmations().indexes();
    const byKey = new Map(indexes.map((index) => [JSON.stringify(index.key), index]));
    expect(byKey.get(JSON.stringify({ shareKey: 1 }))).toMatchObject({ unique: true });
    expect(byKey.has(JSON.stringify({ clinicId: 1, type: 1, status: 1, created: -1 }))).toBe(true);
    expect(byKey.has(JSON.stringify({ creatorId: 1, type: 1, status: 1, created: -1 }))).toBe(true);
  });

  describe('ShareWithClinic — POST /confirm/send/invite/{userId}/clinic', () => {
    it('should store a pending careteam invitation with the permissions and a 7-day expiry', async () => {
      const clinic = await newClinic();
      const patient = await newPatient('Sharon Sharer');
      const before = Date.now();
      const res = await share(patient, clinic, { view: {}, upload: {}, note: {} });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        key: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/),
        type: 'careteam_invitation',
        status: 'pending',
        email: '',
        clinicId: clinic.clinicId,
        creatorId: patient.userId,
        created: expect.any(String),
        modified: expect.any(String),
        creator: {
          userid: patient.userId,
          profile: { fullName: 'Sharon Sharer', patient: { birthday: '2010-04-05' } },
        },
        context: JSON.stringify({ view: {}, upload: {}, note: {} }),
        expiresAt: expect.any(String),
      });
      const stored = await confirmation(res.body.key);
      expect(stored).toMatchObject({
        type: 'careteam_invitation',
        status: 'pending',
        clinicId: clinic.clinicId,
        creatorId: patient.userId,
        userId: '',
        context: JSON.stringify({ view: {}, upload: {}, note: {} }),
        shareKey: `${clinic.clinicId}:${patient.userId}`,
      });
      const expiry = new Date(stored.expiresAt).getTime() - new Date(stored.created).getTime();
      expect(expiry).toBe(7 * DAY_MS);
      expect(new Date(stored.created).getTime()).toBeGreaterThanOrEqual(before - 1000);
    });

    it('should keep only view, upload and note, and refuse a share that offers none of them', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const res = await share(patient, clinic, { custodian: {}, view: {} });
      expect(res.status).toBe(200);
      expect(res.body.context).toBe('{"view":{}}');

      const other = await newPatient();
      expectError(
        await share(other, clinic, { custodian: {} }),
        400,
        'bad request: permissions must grant view, upload or note',
      );
      expectError(await share(other, clinic, {}), 400, 'bad request: permissions must grant view, upload or note');
      expect(await sharesOf(other.userId)).toEqual([]);
    });

    it("should e-mail each of the clinic's admins, and nobody else", async () => {
      const clinic = await newClinic();
      const secondAdmin = await addClinician(t, clinic.clinicId, ['CLINIC_ADMIN']);
      const patient = await newPatient('Mail Sender');
      await shared(patient, clinic);
      for (const address of [clinic.admin.email, secondAdmin.email]) {
        const mails = mailsTo(address);
        expect(mails).toHaveLength(1);
        expect(mails[0].subject).toBe(SUBJECT);
        expect(mails[0].decoded).toContain(
          `Mail Sender would like to share their Tidepool data with ${clinic.clinic.name as string}`,
        );
        expect(mails[0].decoded).toContain(`${WEB_URL}/clinic-workspace`);
      }
      expect(mailsTo(clinic.member.email)).toEqual([]);
      expect(mailsTo(patient.email)).toEqual([]);
    });

    it('should send no e-mail when the clinic suppresses patient invitation notifications', async () => {
      const clinic = await newClinic();
      const suppress = await t.call('POST', `/v1/clinics/${clinic.clinicId}/suppressed_notifications`, {
        token: clinic.admin.token,
        body: { suppressedNotifications: { patientClinicInvitation: true } },
      });
      expect(suppress.status).toBe(200);
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      expect(mailsTo(clinic.admin.email)).toEqual([]);
      expect((await confirmation(key)).status).toBe('pending');
    });

    it('should keep the invite when the e-mail cannot be sent', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      mail.smtp.failNext = true;
      const res = await share(patient, clinic);
      mail.smtp.failNext = false;
      expect(res.status).toBe(200);
      expect(await confirmation(res.body.key)).toMatchObject({ status: 'pending', clinicId: clinic.clinicId });
      expect(mailsTo(clinic.admin.email)).toEqual([]);
      expect(t.logs.some((line) => String(line.msg).includes('e-mailing clinic admins about a new share failed'))).toBe(
        true,
      );
      const list = await t.call<any[]>('GET', invitesUrl(clinic.clinicId), { token: clinic.member.token });
      expect(list.body.map((invite) => invite.key)).toEqual([res.body.key]);
    });

    it('should answer 404 for an unknown share code and write nothing', async () => {
      const patient = await newPatient();
      const res = await t.call('POST', shareUrl(patient.userId), {
        token: patient.token,
        body: { shareCode: 'ZZZZ-ZZZZ-ZZZZ', permissions: { view: {} } },
      });
      expectError(res, 404, 'not found');
      expect(await sharesOf(patient.userId)).toEqual([]);
    });

    it('should answer 404 for a user that does not exist (server token)', async () => {
      const clinic = await newClinic();
      const res = await t.call('POST', shareUrl('0123456789'), {
        token: server,
        body: { shareCode: clinic.shareCode, permissions: { view: {} } },
      });
      expectError(res, 404, 'user not found');
      expect(await sharesOf('0123456789')).toEqual([]);
    });

    it('should let a server share on behalf of the user', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const res = await share(patient, clinic, { view: {} }, server);
      expect(res.status).toBe(200);
      expect(res.body.creatorId).toBe(patient.userId);
    });

    it('should answer 409 when the user is already a patient of the clinic', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const created = await t.call('POST', `/v1/clinics/${clinic.clinicId}/patients/${patient.userId}`, {
        token: server,
        body: { permissions: { view: {} } },
      });
      expect(created.status).toBe(200);
      expectError(await share(patient, clinic), 409, 'duplicate: patient is already a member of the clinic');
      expect(await sharesOf(patient.userId)).toEqual([]);
    });

    it('should answer 409 while a share to the clinic is pending and unexpired, and allow another clinic', async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const patient = await newPatient();
      await shared(patient, clinic);
      expectError(await share(patient, clinic), 409, 'duplicate: an invite to the clinic is already pending');
      await shared(patient, other);
      expect(await sharesOf(patient.userId)).toHaveLength(2);
    });

    it('should allow sharing again once the pending share has expired, keeping the old one pending', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const first = await shared(patient, clinic);
      await confirmations().updateOne({ _id: first as never }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const second = await shared(patient, clinic);
      expect(second).not.toBe(first);
      expect(await confirmation(first)).toMatchObject({ status: 'pending' });
      expect((await confirmation(first)).shareKey).toBeUndefined();
      expect((await confirmation(second)).shareKey).toBe(`${clinic.clinicId}:${patient.userId}`);
      const list = await t.call<any[]>('GET', invitesUrl(clinic.clinicId), { token: clinic.member.token });
      expect(list.body.map((invite) => invite.key)).toEqual([second, first]);
    });

    it('should allow sharing again after the clinic declined or the patient canceled', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const first = await shared(patient, clinic);
      expect((await remove(clinic.clinicId, first, clinic.member.token)).status).toBe(200);
      const second = await shared(patient, clinic);
      expect((await remove(clinic.clinicId, second, patient.token)).status).toBe(200);
      await shared(patient, clinic);
      expect((await sharesOf(patient.userId)).map((invite) => invite.status).sort()).toEqual([
        'canceled',
        'declined',
        'pending',
      ]);
    });

    it('should make exactly one invite from 10 concurrent shares', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const responses = await Promise.all(Array.from({ length: 10 }, () => share(patient, clinic)));
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
      const stored = await sharesOf(patient.userId);
      expect(stored).toHaveLength(1);
      expect(stored[0].status).toBe('pending');
      expect(mailsTo(clinic.admin.email)).toHaveLength(1);
      console.log(
        `10 concurrent shares: ${JSON.stringify(countBy(statuses))}, ${stored.length} invite, 1 admin e-mail`,
      );
    });

    it('should reject bad input with 400 and write nothing', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const call = (body: unknown) => t.call('POST', shareUrl(patient.userId), { token: patient.token, body });
      expectValidationError(await call({ permissions: { view: {} } }), 'shareCode');
      expectValidationError(await call({ shareCode: '', permissions: { view: {} } }), 'shareCode');
      expectValidationError(await call({ shareCode: clinic.shareCode }), 'permissions');
      expectValidationError(
        await call({ shareCode: clinic.shareCode, permissions: { view: 'yes' } }),
        'permissions.view',
      );
      expectValidationError(await call({}), 'shareCode', 'permissions');
      expectValidationError(
        await t.call('POST', shareUrl('not-a-user'), {
          token: server,
          body: { shareCode: clinic.shareCode, permissions: { view: {} } },
        }),
        'userId',
      );
      expect(await sharesOf(patient.userId)).toEqual([]);
    });

    it('should deny other users, clinicians and invalid tokens', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const outsider = await newPatient();
      const body = { shareCode: clinic.shareCode, permissions: { view: {} } };
      await expectDenials((token) => t.call('POST', shareUrl(patient.userId), { token, body }), {
        otherUser: outsider.token,
        clinicAdmin: clinic.admin.token,
        clinicMember: clinic.member.token,
      });
      expect(await sharesOf(patient.userId)).toEqual([]);
    });
  });

  describe('GetPatientInvites — GET /v1/clinics/{clinicId}/invites/patients', () => {
    it('should answer [] when the clinic has no pending share', async () => {
      const clinic = await newClinic();
      const res = await t.call('GET', invitesUrl(clinic.clinicId), { token: clinic.member.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    it("should list the clinic's pending shares newest first, with their senders' profiles", async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const [anna, bert, carl, dora] = await Promise.all([
        newPatient('Anna A'),
        newPatient('Bert B'),
        newPatient('Carl C'),
        newPatient('Dora D'),
      ]);
      const a = await shared(anna, clinic);
      const b = await shared(bert, clinic, { view: {} });
      const c = await shared(carl, clinic);
      await shared(dora, other);
      // Finished shares are not listed; an expired pending one still is.
      expect((await remove(clinic.clinicId, c, carl.token)).status).toBe(200);
      await confirmations().updateOne({ _id: a as never }, { $set: { expiresAt: new Date(Date.now() - DAY_MS) } });

      const res = await t.call<any[]>('GET', invitesUrl(clinic.clinicId), { token: clinic.member.token });
      expect(res.status).toBe(200);
      expect(res.body.map((invite) => invite.key)).toEqual([b, a]);
      expect(res.body[0]).toMatchObject({
        key: b,
        type: 'careteam_invitation',
        status: 'pending',
        clinicId: clinic.clinicId,
        creatorId: bert.userId,
        context: '{"view":{}}',
        creator: { userid: bert.userId, profile: { fullName: 'Bert B', patient: { birthday: '2010-04-05' } } },
      });
      expect(new Date(res.body[1].expiresAt as string).getTime()).toBeLessThan(Date.now());
    });

    it('should let any clinician record of the clinic and servers list', async () => {
      const clinic = await newClinic();
      const prescriber = await addClinician(t, clinic.clinicId, ['PRESCRIBER']);
      for (const token of [prescriber.token, clinic.admin.token, server]) {
        expect((await t.call('GET', invitesUrl(clinic.clinicId), { token })).status).toBe(200);
      }
    });

    it('should deny patients, other users and other clinics’ clinicians', async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const patient = await newPatient();
      await shared(patient, clinic);
      await expectDenials((token) => t.call('GET', invitesUrl(clinic.clinicId), { token }), {
        patient: patient.token,
        otherAdmin: other.admin.token,
        otherMember: other.member.token,
      });
    });

    it('should answer 404 for a clinic that does not exist (server) and 400 for a malformed id', async () => {
      expectError(
        await t.call('GET', invitesUrl(new Types.ObjectId().toHexString()), { token: server }),
        404,
        'clinic not found',
      );
      expectValidationError(await t.call('GET', invitesUrl('not-an-id'), { token: server }), 'clinicId');
    });
  });

  describe('AcceptPatientInvitation — PUT /v1/clinics/{clinicId}/invites/patients/{inviteId}', () => {
    it('should create the patient with the offered permissions and complete the invite', async () => {
      const clinic = await newClinic();
      const patient = await newPatient('Anne Accepted');
      const key = await shared(patient, clinic, { view: {}, note: {} });
      const res = await accept(clinic, key, { mrn: 'MRN-1' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: patient.userId,
        fullName: 'Anne Accepted',
        birthDate: '2010-04-05',
        mrn: 'MRN-1',
        email: patient.email.toLowerCase(),
        permissions: { view: {}, note: {} },
      });
      expect(res.body.permissions.upload).toBeUndefined();
      expect(await findPatientDocument(t, clinic.clinicId, patient.userId)).toMatchObject({
        userId: patient.userId,
        mrn: 'MRN-1',
        permissions: { view: {}, note: {} },
      });
      const stored = await confirmation(key);
      expect(stored.status).toBe('completed');
      expect(stored.shareKey).toBeUndefined();

      // The patient now appears in the clinic's patient list, and the share no longer in its invites.
      const patients = await t.call<any>('GET', `/v1/clinics/${clinic.clinicId}/patients`, {
        token: clinic.member.token,
      });
      expect(patients.body.data.map((item: any) => item.id)).toEqual([patient.userId]);
      const invites = await t.call<any[]>('GET', invitesUrl(clinic.clinicId), { token: clinic.member.token });
      expect(invites.body).toEqual([]);
    });

    it('should take the body’s name, birth date, tags and sites over the profile', async () => {
      const clinic = await newClinic();
      const siteId = new Types.ObjectId();
      const tagId = new Types.ObjectId().toHexString();
      await t.connection
        .collection('clinics')
        .updateOne({ _id: new Types.ObjectId(clinic.clinicId) }, { $set: { sites: [{ id: siteId, name: 'North' }] } });
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      const res = await accept(clinic, key, {
        fullName: 'Given Name',
        birthDate: '2001-02-03',
        tags: [tagId],
        sites: [{ id: siteId.toHexString(), name: 'whatever' }],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        fullName: 'Given Name',
        birthDate: '2001-02-03',
        tags: [tagId],
        sites: [{ id: siteId.toHexString(), name: 'North' }],
        permissions: { view: {}, upload: {} },
      });
    });

    it('should accept without a body, and accept an expired invite', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      await confirmations().updateOne({ _id: key as never }, { $set: { expiresAt: new Date(Date.now() - DAY_MS) } });
      const res = await accept(clinic, key, undefined, server);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(patient.userId);
      expect((await confirmation(key)).status).toBe('completed');
    });

    it('should answer the existing patient record and still complete the invite', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      const existing = await t.call<any>('POST', `/v1/clinics/${clinic.clinicId}/patients/${patient.userId}`, {
        token: server,
        body: { permissions: { view: {} }, mrn: 'KEPT' },
      });
      expect(existing.status).toBe(200);
      const res = await accept(clinic, key, { mrn: 'IGNORED' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(existing.body);
      expect(await findPatientDocuments(t, clinic.clinicId)).toHaveLength(1);
      expect((await confirmation(key)).status).toBe('completed');
    });

    it('should answer 404 for an invite that does not exist', async () => {
      const clinic = await newClinic();
      expectError(await accept(clinic, 'no-such-invite'), 404, NO_MATCH);
      expect(await findPatientDocuments(t, clinic.clinicId)).toEqual([]);
    });

    it('should answer 403 for a finished invite, another clinic’s invite or a clinician invite', async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const patient = await newPatient();
      const done = await shared(patient, clinic);
      expect((await accept(clinic, done)).status).toBe(200);
      expectError(await accept(clinic, done), 403, FORBIDDEN_OPERATION);

      const canceledPatient = await newPatient();
      const canceled = await shared(canceledPatient, clinic);
      expect((await remove(clinic.clinicId, canceled, canceledPatient.token)).status).toBe(200);
      expectError(await accept(clinic, canceled), 403, FORBIDDEN_OPERATION);

      const elsewhere = await shared(await newPatient(), other);
      expectError(await accept(clinic, elsewhere), 403, FORBIDDEN_OPERATION);
      expect((await confirmation(elsewhere)).status).toBe('pending');

      const invited = await t.call<any>('POST', `/v1/clinics/${clinic.clinicId}/invites/clinicians`, {
        token: clinic.admin.token,
        body: { email: `clinician-${unique()}@example.com`, roles: ['CLINIC_MEMBER'] },
      });
      expect(invited.status).toBe(200);
      expectError(await accept(clinic, invited.body.inviteId as string), 403, FORBIDDEN_OPERATION);
      expect((await findPatientDocuments(t, clinic.clinicId)).map((record) => record.userId)).toEqual([patient.userId]);
    });

    it('should answer 400 when the clinic requires an MRN and none is known, leaving the invite pending', async () => {
      const clinic = await newClinic();
      await setMrnSettings(t, clinic.clinicId, true, false);
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      expectError(await accept(clinic, key, {}), 400, 'bad request: mrn is required');
      expect((await confirmation(key)).status).toBe('pending');
      expect(await findPatientDocuments(t, clinic.clinicId)).toEqual([]);
      expect((await accept(clinic, key, { mrn: 'A-1' })).status).toBe(200);
    });

    it('should answer 400 for an MRN another patient of the clinic has, leaving the invite pending', async () => {
      const clinic = await newClinic();
      await setMrnSettings(t, clinic.clinicId, false, true);
      const first = await newPatient();
      expect((await accept(clinic, await shared(first, clinic), { mrn: 'SAME' })).status).toBe(200);
      const second = await newPatient();
      const key = await shared(second, clinic);
      expectError(await accept(clinic, key, { mrn: 'same' }), 400, 'bad request: mrn must be unique');
      expect((await confirmation(key)).status).toBe('pending');
      expect(await findPatientDocument(t, clinic.clinicId, second.userId)).toBeNull();
    });

    it('should answer 422 for a site the clinic does not have, leaving the invite pending', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      const res = await accept(clinic, key, { sites: [{ id: new Types.ObjectId().toHexString(), name: 'Nowhere' }] });
      expectError(res, 422, 'constraint violation: the clinic has no site with that name');
      expect((await confirmation(key)).status).toBe('pending');
      expect(await findPatientDocument(t, clinic.clinicId, patient.userId)).toBeNull();
    });

    it('should reject bad input with 400 and write nothing', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      expectValidationError(await accept(clinic, key, { birthDate: '2001-02-30' }), 'birthDate');
      expectValidationError(await accept(clinic, key, { fullName: '' }), 'fullName');
      expectValidationError(await accept(clinic, key, { tags: ['nope'] }), 'tags');
      expectValidationError(await accept(clinic, key, { sites: [{ id: 'x' }] }), 'sites[0].id');
      expectValidationError(await accept(clinic, key, { diagnosisType: 'type9' }), 'diagnosisType');
      expect((await confirmation(key)).status).toBe('pending');
      expect(await findPatientDocuments(t, clinic.clinicId)).toEqual([]);
    });

    it('should deny patients, other users and other clinics’ clinicians', async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      await expectDenials((token) => t.call('PUT', inviteUrl(clinic.clinicId, key), { token, body: {} }), {
        patient: patient.token,
        otherUser: (await newPatient()).token,
        otherAdmin: other.admin.token,
      });
      expect((await confirmation(key)).status).toBe('pending');
      expect(await findPatientDocuments(t, clinic.clinicId)).toEqual([]);
    });

    it('should let a prescriber accept (any clinician record, as the established service)', async () => {
      const clinic = await newClinic();
      const prescriber = await addClinician(t, clinic.clinicId, ['PRESCRIBER']);
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      expect((await accept(clinic, key, {}, prescriber.token)).status).toBe(200);
    });

    it('should make one patient record and one completed invite from 8 concurrent accepts', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      const responses = await Promise.all(Array.from({ length: 8 }, () => accept(clinic, key, {})));
      const statuses = responses.map((res) => res.status);
      // The first accept wins; the others find the invite completed. Never a 500.
      expect(statuses.sort()).toEqual([200, 403, 403, 403, 403, 403, 403, 403]);
      for (const res of responses.filter((answer) => answer.status === 403)) {
        expectError(res, 403, FORBIDDEN_OPERATION);
      }
      expect(await findPatientDocuments(t, clinic.clinicId)).toHaveLength(1);
      expect(await sharesOf(patient.userId)).toMatchObject([{ status: 'completed' }]);
      const count = await t.call<any>('GET', `/v1/clinics/${clinic.clinicId}/patient_count`, { token: server });
      expect(count.body.total).toBe(1);
      console.log(
        `8 concurrent accepts of one invite: ${JSON.stringify(countBy(statuses))}, 1 patient record, 1 completed invite`,
      );
    });

    it('should end a race of accept and cancel either accepted or canceled, never both', async () => {
      const outcomes: string[] = [];
      // The cancel starts later in each round, so that both orders occur.
      for (const delayMs of [0, 5, 10, 20, 40, 80]) {
        const clinic = await newClinic();
        const patient = await newPatient();
        const key = await shared(patient, clinic);
        const [accepted, canceled] = await Promise.all([
          accept(clinic, key, {}),
          new Promise((resolve) => setTimeout(resolve, delayMs)).then(() =>
            remove(clinic.clinicId, key, patient.token),
          ),
        ]);
        const status = (await confirmation(key)).status as string;
        const record = await findPatientDocument(t, clinic.clinicId, patient.userId);
        if (status === 'completed') {
          expect(accepted.status).toBe(200);
          expect(canceled.status).toBe(403);
          expect(record).not.toBeNull();
        } else {
          expect(status).toBe('canceled');
          expect(canceled.status).toBe(200);
          expect(accepted.status).toBe(403);
          expect(record).toBeNull();
        }
        outcomes.push(status);
      }
      console.log(`accept racing cancel, 6 rounds: ${JSON.stringify(countBy(outcomes))}`);
    });
  });

  describe('CancelOrDeclinePatientInvitation — DELETE /v1/clinics/{clinicId}/invites/patients/{inviteId}', () => {
    it('should let the patient who sent it cancel it', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      const res = await remove(clinic.clinicId, key, patient.token);
      expect(res.status).toBe(200);
      expect(res.text).toBe('OK');
      const stored = await confirmation(key);
      expect(stored.status).toBe('canceled');
      expect(stored.shareKey).toBeUndefined();
      expect(new Date(stored.modified).getTime()).toBeGreaterThan(new Date(stored.created).getTime() - 1);
    });

    it('should let any clinician record of the clinic, or a server, decline it', async () => {
      const clinic = await newClinic();
      const prescriber = await addClinician(t, clinic.clinicId, ['PRESCRIBER']);
      for (const token of [clinic.member.token, clinic.admin.token, prescriber.token, server]) {
        const key = await shared(await newPatient(), clinic);
        const res = await remove(clinic.clinicId, key, token);
        expect(res.status).toBe(200);
        expect((await confirmation(key)).status).toBe('declined');
      }
    });

    it('should let the patient cancel a declined share, and refuse a finished one with 403', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      expect((await remove(clinic.clinicId, key, clinic.member.token)).status).toBe(200);
      expect((await remove(clinic.clinicId, key, clinic.member.token)).status).toBe(200);
      expect((await remove(clinic.clinicId, key, patient.token)).status).toBe(200);
      expect((await confirmation(key)).status).toBe('canceled');
      expectError(await remove(clinic.clinicId, key, patient.token), 403, FORBIDDEN_OPERATION);

      const acceptedPatient = await newPatient();
      const accepted = await shared(acceptedPatient, clinic);
      expect((await accept(clinic, accepted)).status).toBe(200);
      expectError(await remove(clinic.clinicId, accepted, clinic.member.token), 403, FORBIDDEN_OPERATION);
      expectError(await remove(clinic.clinicId, accepted, acceptedPatient.token), 403, FORBIDDEN_OPERATION);
      expect((await confirmation(accepted)).status).toBe('completed');
    });

    it('should answer 404 for an invite that does not exist or is not a share to this clinic', async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const patient = await newPatient();
      const elsewhere = await shared(patient, other);
      expectError(await remove(clinic.clinicId, 'no-such-invite', clinic.member.token), 404, NO_MATCH);
      expectError(await remove(clinic.clinicId, elsewhere, server), 404, NO_MATCH);
      expect((await confirmation(elsewhere)).status).toBe('pending');
    });

    it('should deny users who neither sent the share nor belong to the clinic, without telling whether it exists', async () => {
      const clinic = await newClinic();
      const other = await newClinic();
      const patient = await newPatient();
      const key = await shared(patient, clinic);
      const outsider = await newPatient();
      await expectDenials((token) => remove(clinic.clinicId, key, token), {
        otherUser: outsider.token,
        otherAdmin: other.admin.token,
      });
      expectError(await remove(clinic.clinicId, 'no-such-invite', outsider.token), 403, FORBIDDEN_MESSAGE);
      // The sender of a share to another clinic is nobody here.
      expectError(await remove(other.clinicId, key, patient.token), 403, FORBIDDEN_MESSAGE);
      expect((await confirmation(key)).status).toBe('pending');
    });
  });

  describe('ListSentInvites — GET /confirm/invite/{userId}', () => {
    const sentUrl = (userId: string) => `/confirm/invite/${userId}`;

    it('should list the pending shares the user sent, newest first ([] when none)', async () => {
      const [first, second, third] = [await newClinic(), await newClinic(), await newClinic()];
      const patient = await newPatient('Lister');
      const empty = await t.call('GET', sentUrl(patient.userId), { token: patient.token });
      expect(empty.status).toBe(200);
      expect(empty.body).toEqual([]);

      const a = await shared(patient, first);
      const b = await shared(patient, second);
      const c = await shared(patient, third);
      expect((await remove(third.clinicId, c, third.member.token)).status).toBe(200);
      await shared(await newPatient(), first);

      const res = await t.call<any[]>('GET', sentUrl(patient.userId), { token: patient.token });
      expect(res.status).toBe(200);
      expect(res.body.map((invite) => [invite.key, invite.clinicId])).toEqual([
        [b, second.clinicId],
        [a, first.clinicId],
      ]);
      expect(res.body[0]).toMatchObject({ status: 'pending', creator: { profile: { fullName: 'Lister' } } });
      const byServer = await t.call<any[]>('GET', sentUrl(patient.userId), { token: server });
      expect(byServer.body).toEqual(res.body);
    });

    it('should deny other users and clinicians, and reject a malformed user id', async () => {
      const clinic = await newClinic();
      const patient = await newPatient();
      await shared(patient, clinic);
      await expectDenials((token) => t.call('GET', sentUrl(patient.userId), { token }), {
        otherUser: (await newPatient()).token,
        clinicAdmin: clinic.admin.token,
      });
      expectValidationError(await t.call('GET', sentUrl('nope'), { token: server }), 'userId');
    });
  });

  /**
   * Who may call each companion route (not in the contract, so not in the main authorization matrix):
   *   SRV server · SELF the user in the path / the share's sender · REC any clinician record in the clinic.
   */
  describe('companion routes authorization matrix', () => {
    type Caller = 'server' | 'sender' | 'otherUser' | 'admin' | 'member' | 'prescriber' | 'otherClinicAdmin';
    const CALLERS: Caller[] = ['server', 'sender', 'otherUser', 'admin', 'member', 'prescriber', 'otherClinicAdmin'];
    const RULES: Array<[string, Caller[]]> = [
      ['POST /confirm/send/invite/{userId}/clinic', ['server', 'sender']],
      ['GET /confirm/invite/{userId}', ['server', 'sender']],
      [
        'DELETE /v1/clinics/{clinicId}/invites/patients/{inviteId}',
        ['server', 'sender', 'admin', 'member', 'prescriber'],
      ],
    ];

    it.each(RULES)('%s', async (route, allowed) => {
      const [method, path] = route.split(' ');
      for (const caller of CALLERS) {
        const clinic = await newClinic();
        const other = await newClinic();
        const prescriber = await addClinician(t, clinic.clinicId, ['PRESCRIBER']);
        const sender = await newPatient();
        const key = method === 'POST' ? 'unused' : await shared(sender, clinic);
        const tokens: Record<Caller, string> = {
          server,
          sender: sender.token,
          otherUser: (await newPatient()).token,
          admin: clinic.admin.token,
          member: clinic.member.token,
          prescriber: prescriber.token,
          otherClinicAdmin: other.admin.token,
        };
        const url = path
          .replace('{userId}', sender.userId)
          .replace('{clinicId}', clinic.clinicId)
          .replace('{inviteId}', key);
        const res = await t.call(method, url, {
          token: tokens[caller],
          ...(method === 'POST' ? { body: { shareCode: clinic.shareCode, permissions: { view: {} } } } : {}),
        });
        if (allowed.includes(caller)) expect({ caller, status: res.status }).toEqual({ caller, status: 200 });
        else {
          expect({ caller, status: res.status }).toEqual({ caller, status: 403 });
          expectError(res, 403, FORBIDDEN_MESSAGE);
        }
      }
    });
  });
});
