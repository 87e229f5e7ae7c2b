import { Types } from 'mongoose';
import { expectError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import {
  ADULT,
  CHILD,
  counts,
  createScenarioClinic,
  FULL_NAME,
  preorderInitial,
  preorderSubsequent,
  putXealthSettings,
  xealth,
  xealthApp,
  XEALTH_TOKEN,
  useXealthStub,
  clinicsSharingDeployment,
} from './xealth.fixtures';

const SOMETHING_WENT_WRONG = /^Something went wrong when we tried to create a new patient account in Tidepool\./;

describe('XealthPreorder', () => {
  const stub = useXealthStub();
  const t = useTestApp(xealthApp(stub));
  let clinicId: string;
  let clinicianToken: string;
  const child = { mrn: CHILD.mrn, otherMrn: CHILD.otherMrn, birthDate: CHILD.birthDate };
  const preorders = () => t.connection.collection('xealth_preorder');

  beforeAll(async () => {
    const created = await createScenarioClinic(t);
    clinicId = created.clinicId;
    clinicianToken = created.admin.token;
    await putXealthSettings(t, clinicId);
  });

  async function newTrackingId(values = {}): Promise<string> {
    const res = await xealth(t, 'POST', 'preorder', preorderInitial(values));
    expect(res.status).toBe(200);
    return res.body.dataTrackingId as string;
  }

  describe('bad input', () => {
    it('should answer 400 for malformed JSON or a body that is not an object, storing nothing', async () => {
      const before = await counts(t, clinicId);
      const malformed = await t.call('POST', '/v1/xealth/preorder', {
        body: '{"eventType": "preorder",',
        headers: { authorization: `Bearer ${XEALTH_TOKEN}`, 'content-type': 'application/json' },
      });
      expect(malformed.status).toBe(400);
      expectError(
        await xealth(t, 'POST', 'preorder', [1, 2]),
        400,
        'bad request: the request body must be a JSON object',
      );
      expect(await counts(t, clinicId)).toEqual(before);
    });

    it('should answer 400 for another event type or context', async () => {
      expectError(
        await xealth(t, 'POST', 'preorder', { ...preorderInitial(), eventType: 'getPrograms' }),
        400,
        "bad request: expected eventType='preorder' got 'getPrograms'",
      );
      expectError(
        await xealth(t, 'POST', 'preorder', { ...preorderInitial(), eventContext: 'final' }),
        400,
        "bad request: invalid event context 'final'",
      );
    });

    it('should answer 400 for missing criteria', async () => {
      expectError(
        await xealth(t, 'POST', 'preorder', { ...preorderInitial(), datasets: undefined }),
        400,
        'bad request: datasets is missing',
      );
      expectError(
        await xealth(t, 'POST', 'preorder', { ...preorderInitial(), patientIdentity: { ids: [] } }),
        400,
        'bad request: mrn is missing',
      );
    });

    it('should answer 400 for an empty or missing dataTrackingId, storing nothing', async () => {
      for (const id of ['', '   ', undefined]) {
        expectError(
          await xealth(
            t,
            'POST',
            'preorder',
            preorderSubsequent(id as string, { patient: { email: 'a@example.com' } }),
          ),
          400,
          'bad request: formData.dataTrackingId is required',
        );
      }
      expect(await preorders().countDocuments()).toBe(0);
    });
  });

  describe('clinic and patient matching', () => {
    it('should answer 404 when no clinic has the deployment enabled', async () => {
      expectError(
        await xealth(t, 'POST', 'preorder', preorderInitial({ deployment: 'elsewhere' })),
        404,
        "not found: couldn't find a matching clinic",
      );
    });

    it('should answer 422 when two patients have the MRN', async () => {
      for (const birthDate of ['1990-01-01', '1991-01-01']) {
        const res = await t.call('POST', `/v1/clinics/${clinicId}/patients`, {
          token: clinicianToken,
          body: { fullName: 'Twin', birthDate, mrn: 'twin-mrn' },
        });
        expect(res.status).toBe(200);
      }
      expectError(
        await xealth(t, 'POST', 'preorder', preorderInitial({ mrn: 'TWIN-MRN' })),
        422,
        'constraint violation: multiple matching patients found',
      );
    });

    it('should answer 409 when two clinics have the deployment enabled', async () => {
      await clinicsSharingDeployment(t, 'shared-deployment');
      expectError(
        await xealth(t, 'POST', 'preorder', preorderInitial({ deployment: 'shared-deployment' })),
        409,
        'duplicate: multiple matching clinics found',
      );
    });
  });

  describe('initial', () => {
    it('should offer the clinic tags sorted by name, with the picker visible', async () => {
      const tagged = await createScenarioClinic(t);
      await putXealthSettings(t, tagged.clinicId, { sourceId: 'tagged-deployment' });
      const ids = [new Types.ObjectId(), new Types.ObjectId()];
      await t.connection.collection('clinics').updateOne(
        { _id: new Types.ObjectId(tagged.clinicId) },
        {
          $set: {
            patientTags: [
              { _id: ids[0], name: 'Tidepool Loop' },
              { _id: ids[1], name: 'DIY Loop' },
            ],
          },
        },
      );
      const res = await xealth(t, 'POST', 'preorder', preorderInitial({ deployment: 'tagged-deployment' }));
      expect(res.status).toBe(200);
      const info = res.body.preorderFormInfo;
      expect(info.formSchema.definitions.tags).toEqual({
        enum: [ids[1].toHexString(), ids[0].toHexString()],
        enumNames: ['DIY Loop', 'Tidepool Loop'],
      });
      expect(info.formSchema.properties.tags.type).toBe('object');
      expect(info.uiSchema.tags['ui:widget']).toBe('object');
    });

    it('should leave the e-mail out of the patient form data when the EHR has none', async () => {
      const res = await xealth(t, 'POST', 'preorder', preorderInitial({ email: null }));
      expect(res.body.preorderFormInfo.formData).toEqual({ patient: {} });
      expect(res.body.preorderFormInfo.formSchema.definitions.tags).toEqual({});
      expect(res.body.preorderFormInfo.formSchema.properties.tags.type).toBe('null');
    });

    it('should answer a new dataTrackingId each time and store nothing', async () => {
      const first = await newTrackingId();
      const second = await newTrackingId();
      expect(first).not.toBe(second);
      expect(await preorders().countDocuments()).toBe(0);
    });

    it('should answer the guardian form for a child under 13', async () => {
      const res = await xealth(t, 'POST', 'preorder', preorderInitial(child));
      expect(res.body.preorderFormInfo.formId).toBe('guardian_enrollment_form');
      expect(res.body.preorderFormInfo.formData).toEqual({ guardian: {} });
      expect(res.body.preorderFormInfo.formSchema.title).toBe(`Add ${FULL_NAME} to Tidepool`);
    });
  });

  describe('subsequent', () => {
    it('should answer the error form for an invalid e-mail, echoing the input and storing nothing', async () => {
      const id = await newTrackingId();
      const res = await xealth(t, 'POST', 'preorder', preorderSubsequent(id, { patient: { email: 'james' } }));
      expect(res.status).toBe(200);
      expect(res.body.dataTrackingId).toBe(id);
      expect(res.body.notOrderable).toBe(true);
      expect(res.body.preorderFormInfo.formId).toBe('error_form');
      expect(res.body.preorderFormInfo.formData).toEqual({ patient: { email: 'james' } });
      expect(res.body.preorderFormInfo.formSchema.properties.error_0.description).toMatch(SOMETHING_WENT_WRONG);
      expect(await preorders().countDocuments({ dataTrackingId: id })).toBe(0);
    });

    it('should answer the error form when the guardian has no first or last name', async () => {
      for (const guardian of [{}, { firstName: 'James', lastName: '  ' }, { firstName: ' ', lastName: 'Jellyfish' }]) {
        const id = await newTrackingId(child);
        const res = await xealth(t, 'POST', 'preorder', preorderSubsequent(id, { guardian }, child));
        expect(res.body.notOrderable).toBe(true);
        expect(res.body.preorderFormInfo.formSchema.properties.error_0.description).toMatch(SOMETHING_WENT_WRONG);
        expect(Object.keys(res.body.preorderFormInfo.formSchema.properties)).toEqual(['error_0']);
      }
      expect(await preorders().countDocuments()).toBe(0);
    });

    it('should answer the in-use form for an e-mail the user directory knows (any case)', async () => {
      const user = await t.users.create({ email: 'taken@example.com' });
      expect(user.userId).toBeTruthy();
      const id = await newTrackingId();
      const res = await xealth(
        t,
        'POST',
        'preorder',
        preorderSubsequent(id, { patient: { email: 'Taken@Example.com' } }),
      );
      const properties = res.body.preorderFormInfo.formSchema.properties;
      expect(Object.keys(properties)).toHaveLength(4);
      expect(properties.error_0.description).toMatch(/^The email address you chose is already in use/);
      expect(await preorders().countDocuments({ dataTrackingId: id })).toBe(0);
    });

    it('should store the form without an e-mail, dropping connectDexcom but keeping connectAbbott', async () => {
      const id = await newTrackingId();
      const res = await xealth(
        t,
        'POST',
        'preorder',
        preorderSubsequent(id, { patient: { email: '', connectAbbott: true, connectDexcom: true } }),
      );
      expect(res.text).toBe('{}');
      const stored = await preorders().findOne({ dataTrackingId: id });
      expect(stored).toMatchObject({ dataTrackingId: id, patient: { connectAbbott: true } });
      expect(stored!.patient).not.toHaveProperty('connectDexcom');
      expect(stored!.patient).not.toHaveProperty('email');
    });

    it('should store the guardian and the chosen tags', async () => {
      const id = await newTrackingId(child);
      const tag = new Types.ObjectId().toHexString();
      const res = await xealth(
        t,
        'POST',
        'preorder',
        preorderSubsequent(
          id,
          {
            guardian: { firstName: 'James', lastName: 'Jellyfish', email: 'guardian@example.com', connectDexcom: true },
            tags: { ids: [tag] },
          },
          child,
        ),
      );
      expect(res.body).toEqual({});
      const stored = await preorders().findOne({ dataTrackingId: id });
      expect(stored).toMatchObject({
        guardian: { firstName: 'James', lastName: 'Jellyfish', email: 'guardian@example.com', connectDexcom: true },
        tags: { ids: [tag] },
      });
      expect(stored).not.toHaveProperty('patient');
    });

    it('should answer {} again for a re-submitted dataTrackingId and keep the first data', async () => {
      const id = await newTrackingId();
      const first = await xealth(
        t,
        'POST',
        'preorder',
        preorderSubsequent(id, { patient: { email: 'first@example.com' } }),
      );
      expect(first.body).toEqual({});
      const again = await xealth(
        t,
        'POST',
        'preorder',
        preorderSubsequent(id, { patient: { email: 'second@example.com' } }),
      );
      expect(again.status).toBe(200);
      expect(again.body).toEqual({});
      const stored = await preorders().find({ dataTrackingId: id }).toArray();
      expect(stored).toHaveLength(1);
      expect(stored[0].patient).toEqual({ email: 'first@example.com' });
    });

    it('should store one document when the same form is submitted concurrently', async () => {
      const id = await newTrackingId();
      const results = await Promise.all(
        ['a', 'b', 'c', 'd'].map((name) =>
          xealth(t, 'POST', 'preorder', preorderSubsequent(id, { patient: { email: `${name}@example.com` } })),
        ),
      );
      for (const res of results) expect(res.body).toEqual({});
      expect(await preorders().countDocuments({ dataTrackingId: id })).toBe(1);
    });

    it('should answer 409 when the patient already exists (the initial step answered {} for it)', async () => {
      const res = await t.call('POST', `/v1/clinics/${clinicId}/patients`, {
        token: clinicianToken,
        body: { fullName: FULL_NAME, birthDate: ADULT.birthDate, mrn: 'known-mrn' },
      });
      expect(res.status).toBe(200);
      expect((await xealth(t, 'POST', 'preorder', preorderInitial({ mrn: 'known-mrn' }))).text).toBe('{}');
      expectError(
        await xealth(t, 'POST', 'preorder', preorderSubsequent('some-id', { patient: {} }, { mrn: 'known-mrn' })),
        409,
        'conflict: expected no patients to match the criteria',
      );
      expect(await preorders().countDocuments({ dataTrackingId: 'some-id' })).toBe(0);
    });
  });
});
