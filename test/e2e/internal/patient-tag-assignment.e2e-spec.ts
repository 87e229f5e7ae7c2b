import { Types } from 'mongoose';
import { addClinician, createClinic, insertPatient, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient, findPatientDocument, findPatientDocuments } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';

describe('AssignPatientTagToClinicPatients / DeletePatientTagFromClinicPatients', () => {
  const t = useTestApp();

  const assign = (clinicId: string, tagId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients/assign_tag/${tagId}`, { token, body });
  const unassign = (clinicId: string, tagId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patients/delete_tag/${tagId}`, { token, body });
  const tagsOf = async (clinicId: string, userId: string) =>
    ((await findPatientDocument(t, clinicId, userId)).tags ?? null)?.map(String) ?? null;

  /** A clinic with a tag and three patients: one without tags, one with `tags: null`, one with another tag. */
  async function setup() {
    const created = await createClinic(t);
    const { clinicId, admin } = created;
    const tag = (
      await t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags`, {
        token: admin.token,
        body: { name: 'Bulk' },
      })
    ).body;
    const other = (
      await t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags`, {
        token: admin.token,
        body: { name: 'Other' },
      })
    ).body;
    const plain = await addUserPatient(t, clinicId);
    const nullTags = await addUserPatient(t, clinicId);
    await t.connection
      .collection('patients')
      .updateOne({ clinicId: new Types.ObjectId(clinicId), userId: nullTags.userId }, { $set: { tags: null } });
    const tagged = await addUserPatient(t, clinicId, { body: { tags: [other.id] } });
    return { ...created, tag, other, plain, nullTags, tagged, server: await t.tokens.server() };
  }

  it('should deny members, prescribers, plain users and other clinics’ admins, changing nothing', async () => {
    const { clinicId, tag } = await setup();
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
    const other = await createClinic(t);
    const outsider = await t.users.create();
    const before = await findPatientDocuments(t, clinicId);
    const forbidden = {
      member: member.token,
      prescriber: prescriber.token,
      user: outsider.token,
      otherClinicAdmin: other.admin.token,
    };
    await expectDenials((token) => assign(clinicId, tag.id, token), forbidden);
    await expectDenials((token) => unassign(clinicId, tag.id, token), forbidden);
    expect(await findPatientDocuments(t, clinicId)).toEqual(before);
  });

  it('should assign the tag to every patient without a body or with null, once each', async () => {
    const { clinicId, admin, server, tag, other, plain, nullTags, tagged } = await setup();
    const elsewhere = await createClinic(t);
    const foreign = await insertPatient(t, elsewhere.clinicId);
    const res = await assign(clinicId, tag.id, admin.token);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await tagsOf(clinicId, plain.userId)).toEqual([tag.id]);
    expect(await tagsOf(clinicId, nullTags.userId)).toEqual([tag.id]);
    expect(await tagsOf(clinicId, tagged.userId)).toEqual([other.id, tag.id]);
    expect((await assign(clinicId, tag.id, server, null)).status).toBe(200);
    expect(await tagsOf(clinicId, tagged.userId)).toEqual([other.id, tag.id]);
    const untouched = await t.connection.collection('patients').findOne({ _id: new Types.ObjectId(foreign) });
    expect(untouched!.tags).toBeUndefined();

    const list = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients`, {
      token: admin.token,
      query: { tags: tag.id },
    });
    expect(list.body.meta.totalCount).toBe(3);
    const clinic = await t.call<any>('GET', `/v1/clinics/${clinicId}`, { token: admin.token });
    expect(clinic.body.patientTags).toEqual([
      { ...tag, numPatients: 3 },
      { ...other, numPatients: 1 },
    ]);
  });

  it('should assign and remove the tag for listed patients only (ids outside the clinic are ignored)', async () => {
    const { clinicId, server, tag, other, plain, nullTags, tagged } = await setup();
    const res = await assign(clinicId, tag.id, server, [plain.userId, tagged.userId, '0123456789']);
    expect(res.status).toBe(200);
    expect(await tagsOf(clinicId, plain.userId)).toEqual([tag.id]);
    expect(await tagsOf(clinicId, nullTags.userId)).toBeNull();
    expect(await tagsOf(clinicId, tagged.userId)).toEqual([other.id, tag.id]);

    expect((await unassign(clinicId, tag.id, server, [tagged.userId])).status).toBe(200);
    expect(await tagsOf(clinicId, tagged.userId)).toEqual([other.id]);
    expect(await tagsOf(clinicId, plain.userId)).toEqual([tag.id]);
  });

  it('should remove the tag from every patient without a body, even a tag the clinic no longer has', async () => {
    const { clinicId, admin, server, tag, other, plain, tagged } = await setup();
    await assign(clinicId, tag.id, server);
    expect((await unassign(clinicId, tag.id, admin.token)).status).toBe(200);
    expect(await tagsOf(clinicId, plain.userId)).toEqual([]);
    expect(await tagsOf(clinicId, tagged.userId)).toEqual([other.id]);

    const dangling = newObjectId();
    const raw = await insertPatient(t, clinicId, { tags: [dangling, other.id] });
    expect((await unassign(clinicId, dangling, server, null)).status).toBe(200);
    const doc = await t.connection.collection('patients').findOne({ _id: new Types.ObjectId(raw) });
    expect(doc!.tags.map(String)).toEqual([other.id]);
  });

  it('should refuse an unknown tag on assignment (404) and a missing clinic (404), writing nothing', async () => {
    const { clinicId, server, plain } = await setup();
    const before = await findPatientDocuments(t, clinicId);
    expectError(await assign(clinicId, newObjectId(), server), 404, 'patient tag not found');
    expectError(await assign(newObjectId(), newObjectId(), server), 404, 'clinic not found');
    expectError(await unassign(newObjectId(), newObjectId(), server), 404, 'clinic not found');
    expect(await findPatientDocuments(t, clinicId)).toEqual(before);
    expect(plain.userId).toBeDefined();
  });

  it('should refuse bad bodies with 400, writing nothing', async () => {
    const { clinicId, server, tag, plain } = await setup();
    const before = await findPatientDocuments(t, clinicId);
    for (const call of [assign, unassign]) {
      expectValidationError(await call(clinicId, tag.id, server, []), 'body');
      expectValidationError(await call(clinicId, tag.id, server, { ids: [plain.userId] }), 'body');
      expectValidationError(await call(clinicId, tag.id, server, [plain.userId, 'not-a-user']), 'body[1]');
      expectValidationError(await call(clinicId, tag.id, server, [plain.userId, plain.userId]), 'body');
      const tooMany = Array.from({ length: 1001 }, (_, i) => (0x3000000000 + i).toString(16));
      expectValidationError(await call(clinicId, tag.id, server, tooMany), 'body');
      expectValidationError(await call(clinicId, 'bad-tag', server), 'patientTagId');
    }
    expect(await findPatientDocuments(t, clinicId)).toEqual(before);
  });

  it('should accept 1000 ids', async () => {
    const { clinicId, server, tag, plain } = await setup();
    const ids = [plain.userId, ...Array.from({ length: 999 }, (_, i) => (0x4000000000 + i).toString(16))];
    expect((await assign(clinicId, tag.id, server, ids)).status).toBe(200);
    expect(await tagsOf(clinicId, plain.userId)).toEqual([tag.id]);
  });
});
