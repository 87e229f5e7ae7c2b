import { addClinician, createClinic, findClinicDocument, newObjectId } from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from '../clinics/expectations';
import { putEhrSettings, redoxApp, scenarioSettings } from './redox.fixtures';

describe('GetEHRSettings and UpdateEHRSettings', () => {
  const t = useTestApp(redoxApp());
  const url = (clinicId: string) => `/v1/clinics/${clinicId}/settings/ehr`;

  describe('UpdateEHRSettings', () => {
    it('should deny everyone but servers (admins and members included)', async () => {
      const { clinicId, admin } = await createClinic(t);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const outsider = await t.users.create();
      await expectDenials((token) => t.call('PUT', url(clinicId), { token, body: scenarioSettings() }), {
        admin: admin.token,
        member: member.token,
        otherUser: outsider.token,
      });
      expect((await findClinicDocument(t, clinicId)).ehrSettings).toBeUndefined();
    });

    it('should store the whole object and answer what GetEHRSettings answers', async () => {
      const { clinicId } = await createClinic(t);
      const before = (await findClinicDocument(t, clinicId)).updatedTime as Date;
      const res = await putEhrSettings(t, clinicId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(scenarioSettings());
      const document = await findClinicDocument(t, clinicId);
      expect(document.ehrSettings).toEqual({
        enabled: true,
        provider: 'redox',
        sourceId: scenarioSettings().sourceId,
        mrnIdType: 'MR',
        procedureCodes: { enableSummaryReports: '49086-2' },
        destinationIds: scenarioSettings().destinationIds,
        scheduledReports: { cadence: '14d', onUploadEnabled: true, onUploadNoteEventType: 'Replace' },
        tags: { codes: ['PATIENT_TAGS'], separator: ',' },
        flowsheets: {},
        notes: {},
      });
      expect((document.updatedTime as Date).getTime()).toBeGreaterThanOrEqual(before.getTime());
      const got = await t.call('GET', url(clinicId), { token: await t.tokens.server() });
      expect(got.body).toEqual(res.body);
    });

    it('should replace, not merge: what the new object leaves out is gone', async () => {
      const { clinicId } = await createClinic(t);
      await putEhrSettings(t, clinicId, scenarioSettings({ notes: { includeGMI: true }, flowsheets: { icode: true } }));
      const minimal = {
        enabled: false,
        provider: 'xealth',
        sourceId: 'artificialhealthcare',
        procedureCodes: { createAccountAndEnableReports: '100' },
        mrnIdType: 'enterprise',
        scheduledReports: { cadence: 'DISABLED', onUploadEnabled: false, onUploadNoteEventType: 'Replace' },
        tags: {},
        flowsheets: { icode: true },
      };
      const res = await putEhrSettings(t, clinicId, minimal);
      expect(res.status).toBe(200);
      // The note event type is kept only when reports are sent after uploads; tags.codes reads as null.
      expect(res.body).toEqual({
        ...minimal,
        scheduledReports: { cadence: 'DISABLED', onUploadEnabled: false },
        tags: { codes: null },
      });
      const stored = (await findClinicDocument(t, clinicId)).ehrSettings;
      expect(stored.destinationIds).toBeNull();
      expect(stored.scheduledReports.onUploadNoteEventType).toBeNull();
      expect(stored.notes).toEqual({});
    });

    it('should answer 400 for an invalid body, changing nothing', async () => {
      const { clinicId } = await createClinic(t);
      await putEhrSettings(t, clinicId);
      const stored = (await findClinicDocument(t, clinicId)).ehrSettings;
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...scenarioSettings(), enabled: undefined }, 'enabled'],
        [{ ...scenarioSettings(), provider: 'epic' }, 'provider'],
        [{ ...scenarioSettings(), mrnIdType: '' }, 'mrnIdType'],
        [{ ...scenarioSettings(), sourceId: 12 }, 'sourceId'],
        [{ ...scenarioSettings(), procedureCodes: undefined }, 'procedureCodes'],
        [
          { ...scenarioSettings(), procedureCodes: { enableSummaryReports: '' } },
          'procedureCodes.enableSummaryReports',
        ],
        [{ ...scenarioSettings(), destinationIds: { flowsheet: 'a', notes: 'b' } }, 'destinationIds.results'],
        [{ ...scenarioSettings(), scheduledReports: { onUploadEnabled: true } }, 'scheduledReports.cadence'],
        [
          { ...scenarioSettings(), scheduledReports: { cadence: '2d', onUploadEnabled: true } },
          'scheduledReports.cadence',
        ],
        [
          {
            ...scenarioSettings(),
            scheduledReports: { cadence: '1d', onUploadEnabled: true, onUploadNoteEventType: 'Old' },
          },
          'scheduledReports.onUploadNoteEventType',
        ],
        [{ ...scenarioSettings(), tags: { separator: '' } }, 'tags.separator'],
        [{ ...scenarioSettings(), tags: undefined }, 'tags'],
        [{ ...scenarioSettings(), flowsheets: {} }, 'flowsheets.icode'],
        [{ ...scenarioSettings(), notes: { includeGMI: 'yes' } }, 'notes.includeGMI'],
      ];
      for (const [body, field] of cases) {
        expectValidationError(await putEhrSettings(t, clinicId, body), field);
      }
      expect((await findClinicDocument(t, clinicId)).ehrSettings).toEqual(stored);
    });

    it('should answer 404 for a clinic that does not exist, creating nothing', async () => {
      const clinicId = newObjectId();
      expectError(await putEhrSettings(t, clinicId), 404, 'clinic not found');
      expect(await findClinicDocument(t, clinicId)).toBeNull();
    });
  });

  describe('GetEHRSettings', () => {
    it('should let servers and the clinic’s members read, and deny the others', async () => {
      const { clinicId, admin } = await createClinic(t);
      await putEhrSettings(t, clinicId);
      const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
      const prescriber = await addClinician(t, clinicId, ['PRESCRIBER']);
      const otherClinic = await createClinic(t);
      await expectDenials((token) => t.call('GET', url(clinicId), { token }), {
        prescriber: prescriber.token,
        otherClinicAdmin: otherClinic.admin.token,
      });
      for (const token of [admin.token, member.token, await t.tokens.server()]) {
        const res = await t.call('GET', url(clinicId), { token });
        expect(res.status).toBe(200);
        expect(res.body).toEqual(scenarioSettings());
      }
    });

    it('should apply the read defaults to what older documents hold', async () => {
      const { clinicId } = await createClinic(t);
      await t.connection
        .collection('clinics')
        .updateOne(
          { _id: (await findClinicDocument(t, clinicId))._id },
          { $set: { ehrSettings: { enabled: true, provider: 'redox', sourceId: 's', notes: { includeGmi: true } } } },
        );
      const res = await t.call('GET', url(clinicId), { token: await t.tokens.server() });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        enabled: true,
        provider: 'redox',
        sourceId: 's',
        procedureCodes: {},
        mrnIdType: 'MRN',
        scheduledReports: { cadence: '14d', onUploadEnabled: false },
        tags: { codes: null },
        flowsheets: { icode: false },
        notes: { includeGMI: true },
      });
    });

    it('should answer 404 when the clinic has no EHR settings, or does not exist', async () => {
      const { clinicId } = await createClinic(t);
      const server = await t.tokens.server();
      expectError(await t.call('GET', url(clinicId), { token: server }), 404, 'not found');
      expectError(await t.call('GET', url(newObjectId()), { token: server }), 404, 'clinic not found');
      expectValidationError(await t.call('GET', url('not-an-id'), { token: server }), 'clinicId');
    });
  });
});
