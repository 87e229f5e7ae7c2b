import { Types } from 'mongoose';
import { addClinician, createClinic, findClinicDocument, insertPatient, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { addUserPatient, findPatientDocument, findPatientDocuments } from '../../support/patient-builders';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from './expectations';

const TOO_MANY_TAGS = 'constraint violation: the clinic already has the maximum number of 50 patient tags';

describe('Patient tags — CreatePatientTag, UpdatePatientTag, DeletePatientTag', () => {
  const t = useTestApp();

  const create = (clinicId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('POST', `/v1/clinics/${clinicId}/patient_tags`, { token, body });
  const update = (clinicId: string, tagId: string, token: string | undefined, body?: unknown) =>
    t.call<any>('PUT', `/v1/clinics/${clinicId}/patient_tags/${tagId}`, { token, body });
  const remove = (clinicId: string, tagId: string, token: string | undefined) =>
    t.call<any>('DELETE', `/v1/clinics/${clinicId}/patient_tags/${tagId}`, { token });
  const storedTags = async (clinicId: string) =>
    ((await findClinicDocument(t, clinicId)).patientTags ?? []).map((tag: any) => ({
      id: String(tag._id),
      name: tag.name,
    }));
  /** Stores `count` tags straight in the clinic document. */
  const seedTags = async (clinicId: string, count: number) => {
    const tags = Array.from({ length: count }, (_, i) => ({ _id: new Types.ObjectId(), name: `seed${i}` }));
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(clinicId) }, { $set: { patientTags: tags } });
    return tags;
  };

  describe('CreatePatientTag', () => {
    it('should deny prescribers, plain users and other clinics’ admins, writing nothing', async () => {
      const { clinicId } = await createClinic(t);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => create(clinicId, token, { name: 'Denied' }), {
        prescriber: prescriber.token,
        user: outsider.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await storedTags(clinicId)).toEqual([]);
    });

    it('should create a trimmed tag for a member and a server, answering {id, name}', async () => {
      const { clinicId } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const first = await create(clinicId, member.token, { name: 'Needs Review  ' });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ id: expect.stringMatching(/^[a-f0-9]{24}$/), name: 'Needs Review' });
      const second = await create(clinicId, await t.tokens.server(), { id: newObjectId(), name: 'Pump' });
      expect(second.status).toBe(200);
      expect(second.body.name).toBe('Pump');
      expect(await storedTags(clinicId)).toEqual([first.body, second.body]);

      const clinic = await t.call<any>('GET', `/v1/clinics/${clinicId}`, { token: member.token });
      expect(clinic.body.patientTags).toEqual([first.body, second.body]);
    });

    it('should refuse a missing or malformed name with 400, writing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      expectValidationError(await create(clinicId, admin.token), 'name');
      expectValidationError(await create(clinicId, admin.token, {}), 'name');
      expectValidationError(await create(clinicId, admin.token, { name: '' }), 'name');
      expectValidationError(await create(clinicId, admin.token, { name: ' leading' }), 'name');
      expectValidationError(await create(clinicId, admin.token, { name: 'a'.repeat(21) }), 'name');
      expectValidationError(await create(clinicId, admin.token, { name: 'semi;colon' }), 'name');
      expectValidationError(await create(clinicId, admin.token, { name: 12 }), 'name');
      expect(await storedTags(clinicId)).toEqual([]);
    });

    it('should answer 404 for a clinic that does not exist', async () => {
      expectError(await create(newObjectId(), await t.tokens.server(), { name: 'Ghost' }), 404, 'clinic not found');
    });

    it('should refuse a name equal to another without spaces and case (409)', async () => {
      const { clinicId, admin } = await createClinic(t);
      expect((await create(clinicId, admin.token, { name: 'Foo Bar' })).status).toBe(200);
      expectError(await create(clinicId, admin.token, { name: 'foobar' }), 409, 'duplicate patient tag');
      expectError(await create(clinicId, admin.token, { name: 'FOO  BAR ' }), 409, 'duplicate patient tag');
      expect((await storedTags(clinicId)).map((tag: any) => tag.name)).toEqual(['Foo Bar']);
    });

    it('should refuse a 51st tag with 422 (the limit is checked before duplicates)', async () => {
      const { clinicId, admin } = await createClinic(t);
      await seedTags(clinicId, 50);
      expectError(await create(clinicId, admin.token, { name: 'one more' }), 422, TOO_MANY_TAGS);
      expectError(await create(clinicId, admin.token, { name: 'seed0' }), 422, TOO_MANY_TAGS);
      expect(await storedTags(clinicId)).toHaveLength(50);
    });

    it('should add exactly one tag when 20 different tags are created at once at 49', async () => {
      const { clinicId, admin } = await createClinic(t);
      await seedTags(clinicId, 49);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => create(clinicId, admin.token, { name: `parallel${i}` })),
      );
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses).toEqual([200, ...Array(19).fill(422)]);
      const tags = await storedTags(clinicId);
      expect(tags).toHaveLength(50);
      expect(tags.filter((tag: any) => tag.name.startsWith('parallel'))).toEqual([
        responses.find((res) => res.status === 200)!.body,
      ]);
    });

    it('should create exactly one tag when 20 requests create the same name at once', async () => {
      const { clinicId, admin } = await createClinic(t);
      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => create(clinicId, admin.token, { name: i % 2 ? 'Same Name' : 'samename' })),
      );
      const statuses = responses.map((res) => res.status).sort();
      expect(statuses).toEqual([200, ...Array(19).fill(409)]);
      expect(await storedTags(clinicId)).toHaveLength(1);
    });
  });

  describe('UpdatePatientTag', () => {
    it('should deny prescribers, plain users and other clinics’ admins, changing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      const tag = (await create(clinicId, admin.token, { name: 'Before' })).body;
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => update(clinicId, tag.id, token, { name: 'After' }), {
        prescriber: prescriber.token,
        user: outsider.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await storedTags(clinicId)).toEqual([tag]);
    });

    it('should rename the tag, answering its patient count, and allow a variant of its own name', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const tag = (await create(clinicId, admin.token, { name: 'Old Name' })).body;
      const other = (await create(clinicId, admin.token, { name: 'Other' })).body;
      await insertPatient(t, clinicId, { tags: [tag.id] });
      await insertPatient(t, clinicId, { tags: [tag.id, other.id] });

      const renamed = await update(clinicId, tag.id, member.token, { name: 'New Name ' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toEqual({ id: tag.id, name: 'New Name', numPatients: 2 });
      const variant = await update(clinicId, tag.id, await t.tokens.server(), { id: tag.id, name: 'newname' });
      expect(variant.status).toBe(200);
      expect(await storedTags(clinicId)).toEqual([{ id: tag.id, name: 'newname' }, other]);

      const unused = await update(clinicId, other.id, admin.token, { name: 'Unused' });
      expect(unused.body).toEqual({ id: other.id, name: 'Unused', numPatients: 1 });
    });

    it('should refuse another tag’s name (409), an unknown tag (404) and a bad body (400), changing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      const tag = (await create(clinicId, admin.token, { name: 'Alpha' })).body;
      const beta = (await create(clinicId, admin.token, { name: 'Beta' })).body;
      expectError(await update(clinicId, tag.id, admin.token, { name: 'B eta' }), 409, 'duplicate patient tag');
      expectError(await update(clinicId, newObjectId(), admin.token, { name: 'Gamma' }), 404, 'patient tag not found');
      expectValidationError(await update(clinicId, tag.id, admin.token), 'name');
      expectValidationError(await update(clinicId, tag.id, admin.token, { name: '' }), 'name');
      expectValidationError(await update(clinicId, 'not-an-id', admin.token, { name: 'Gamma' }), 'patientTagId');
      expectError(await update(newObjectId(), tag.id, await t.tokens.server(), { name: 'X' }), 404, 'clinic not found');
      expect(await storedTags(clinicId)).toEqual([tag, beta]);
    });
  });

  describe('DeletePatientTag', () => {
    it('should deny members, prescribers, plain users and other clinics’ admins, changing nothing', async () => {
      const { clinicId, admin } = await createClinic(t);
      const tag = (await create(clinicId, admin.token, { name: 'Keep' })).body;
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const other = await createClinic(t);
      const outsider = await t.users.create();
      await expectDenials((token) => remove(clinicId, tag.id, token), {
        member: member.token,
        prescriber: prescriber.token,
        user: outsider.token,
        otherClinicAdmin: other.admin.token,
      });
      expect(await storedTags(clinicId)).toEqual([tag]);
    });

    it('should remove the tag from the clinic and every patient, and record it as the last deleted tag', async () => {
      const { clinicId, admin } = await createClinic(t);
      const tag = (await create(clinicId, admin.token, { name: 'Gone' })).body;
      const kept = (await create(clinicId, admin.token, { name: 'Kept' })).body;
      const tagged = await addUserPatient(t, clinicId, { body: { tags: [tag.id, kept.id] } });
      const alsoTagged = await addUserPatient(t, clinicId, { body: { tags: [tag.id] } });
      const untagged = await addUserPatient(t, clinicId, { body: { tags: [kept.id] } });
      const otherClinic = await createClinic(t);
      const elsewhere = await insertPatient(t, otherClinic.clinicId, { tags: [tag.id] });
      const before = await findPatientDocument(t, clinicId, untagged.userId);

      const res = await remove(clinicId, tag.id, admin.token);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      const clinic = await findClinicDocument(t, clinicId);
      expect(clinic.patientTags.map((entry: any) => String(entry._id))).toEqual([kept.id]);
      expect(String(clinic.lastDeletedPatientTag)).toBe(tag.id);
      expect(clinic.pendingPatientChanges ?? []).toEqual([]);
      expect((await findPatientDocument(t, clinicId, tagged.userId)).tags.map(String)).toEqual([kept.id]);
      expect((await findPatientDocument(t, clinicId, alsoTagged.userId)).tags).toEqual([]);
      expect(await findPatientDocument(t, clinicId, untagged.userId)).toEqual(before);
      // Another clinic's patient is not touched.
      const foreign = await t.connection.collection('patients').findOne({ _id: new Types.ObjectId(elsewhere) });
      expect(foreign!.tags.map(String)).toEqual([tag.id]);

      const list = await t.call<any>('GET', `/v1/clinics/${clinicId}/patients`, {
        token: admin.token,
        query: { tags: tag.id },
      });
      expect(list.status).toBe(200);
      expect(list.body.data).toEqual([]);
    });

    it('should answer 204 for an unknown tag and 404 for a missing clinic', async () => {
      const { clinicId, admin } = await createClinic(t);
      const tag = (await create(clinicId, admin.token, { name: 'Stays' })).body;
      const dangling = newObjectId();
      const patient = await insertPatient(t, clinicId, { tags: [dangling, tag.id] });
      expect((await remove(clinicId, dangling, admin.token)).status).toBe(204);
      expect(await storedTags(clinicId)).toEqual([tag]);
      const doc = await t.connection.collection('patients').findOne({ _id: new Types.ObjectId(patient) });
      expect(doc!.tags.map(String)).toEqual([tag.id]);
      expectError(await remove(newObjectId(), tag.id, await t.tokens.server()), 404, 'clinic not found');
      expectValidationError(await remove(clinicId, 'bad', admin.token), 'patientTagId');
    });

    it('should reach every patient of a large clinic', async () => {
      const { clinicId, admin } = await createClinic(t);
      const tag = (await create(clinicId, admin.token, { name: 'Many' })).body;
      const documents = Array.from({ length: 1200 }, (_, i) => ({
        _id: new Types.ObjectId(),
        clinicId: new Types.ObjectId(clinicId),
        userId: (0x1000000000 + i).toString(16),
        tags: [new Types.ObjectId(tag.id)],
        createdTime: new Date(),
        updatedTime: new Date(),
      }));
      await t.connection.collection('patients').insertMany(documents);
      expect((await remove(clinicId, tag.id, admin.token)).status).toBe(204);
      const left = (await findPatientDocuments(t, clinicId)).filter((doc) => doc.tags.map(String).includes(tag.id));
      expect(left).toEqual([]);
    });
  });
});
