import { Types } from 'mongoose';
import { DeletionsWriter } from '../../../src/modules/clinics/deletions/deletions.writer';
import {
  addClinician,
  addInvite,
  createClinic,
  findClinicDocument,
  findClinicianDocuments,
  insertPatient,
  newObjectId,
} from '../../support/builders';
import { expectError, expectValidationError } from '../../support/expect-error';
import { useTestApp } from '../../support/test-app';
import { expectDenials } from './expectations';

describe('DeleteClinic — DELETE /v1/clinics/{clinicId}', () => {
  const t = useTestApp();
  let server: string;

  beforeAll(async () => {
    server = await t.tokens.server();
  });

  const archives = (collection: 'clinic_deletions' | 'clinician_deletions', ids: Types.ObjectId[]) =>
    t.connection
      .collection(collection)
      .find({ _id: { $in: ids } })
      .toArray();

  it('should deny members, plain users and other clinics’ admins, deleting nothing', async () => {
    const { clinicId } = await createClinic(t);
    const member = await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    const other = await createClinic(t);
    const outsider = await t.users.create();
    await expectDenials((token) => t.call('DELETE', `/v1/clinics/${clinicId}`, { token }), {
      member: member.token,
      otherAdmin: other.admin.token,
      user: outsider.token,
    });
    expect(await findClinicDocument(t, clinicId)).not.toBeNull();
    expect(await findClinicianDocuments(t, clinicId)).toHaveLength(2);
  });

  it('should archive and delete the clinic and all its clinicians, invites included, for its admin', async () => {
    const { clinicId, admin } = await createClinic(t);
    await addClinician(t, clinicId, ['CLINIC_MEMBER']);
    await addInvite(t, clinicId, ['CLINIC_ADMIN']);
    const clinicBefore = await findClinicDocument(t, clinicId);
    const cliniciansBefore = await findClinicianDocuments(t, clinicId);
    expect(cliniciansBefore).toHaveLength(3);

    const res = await t.call('DELETE', `/v1/clinics/${clinicId}`, { token: admin.token });

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await findClinicDocument(t, clinicId)).toBeNull();
    expect(await findClinicianDocuments(t, clinicId)).toEqual([]);
    const [clinicArchive] = await archives('clinic_deletions', [clinicBefore._id]);
    expect(clinicArchive).toEqual({
      _id: clinicBefore._id,
      deletedTime: expect.any(Date),
      deletedByUserId: admin.userId,
      clinic: clinicBefore,
    });
    const clinicianArchives = await archives(
      'clinician_deletions',
      cliniciansBefore.map((clinician) => clinician._id),
    );
    expect(clinicianArchives).toHaveLength(3);
    for (const archive of clinicianArchives) {
      expect(archive).toEqual({
        _id: archive.clinician._id,
        deletedTime: expect.any(Date),
        deletedByUserId: admin.userId,
        clinician: cliniciansBefore.find((clinician) => clinician._id.equals(archive.clinician._id)),
      });
    }
  });

  it('should record no deleting user for server tokens', async () => {
    const { clinicId } = await createClinic(t);
    expect((await t.call('DELETE', `/v1/clinics/${clinicId}`, { token: server })).status).toBe(204);
    const [archive] = await archives('clinic_deletions', [new Types.ObjectId(clinicId)]);
    expect(archive.deletedByUserId).toBeUndefined();
  });

  it('should refuse a clinic that still has patients, changing nothing', async () => {
    const { clinicId, admin } = await createClinic(t);
    await insertPatient(t, clinicId);
    const res = await t.call('DELETE', `/v1/clinics/${clinicId}`, { token: admin.token });
    expectError(res, 400, 'bad request: deletion of non-empty clinics is not allowed');
    expect(await findClinicDocument(t, clinicId)).not.toBeNull();
    expect(await findClinicianDocuments(t, clinicId)).toHaveLength(1);
    expect(await archives('clinic_deletions', [new Types.ObjectId(clinicId)])).toEqual([]);
  });

  it('should fail and delete nothing when an archive cannot be written, and succeed on retry with one archive each', async () => {
    const { clinicId, admin } = await createClinic(t);
    await addInvite(t, clinicId, ['CLINIC_MEMBER']);
    const spy = jest.spyOn(DeletionsWriter.prototype, 'archiveClinic').mockRejectedValueOnce(new Error('disk full'));

    expectError(
      await t.call('DELETE', `/v1/clinics/${clinicId}`, { token: admin.token }),
      500,
      'Internal Server Error',
    );
    expect(await findClinicDocument(t, clinicId)).not.toBeNull();
    const clinicians = await findClinicianDocuments(t, clinicId);
    expect(clinicians).toHaveLength(2);

    spy.mockRestore();
    expect((await t.call('DELETE', `/v1/clinics/${clinicId}`, { token: admin.token })).status).toBe(204);
    expect(await archives('clinic_deletions', [new Types.ObjectId(clinicId)])).toHaveLength(1);
    expect(
      await archives(
        'clinician_deletions',
        clinicians.map((clinician) => clinician._id),
      ),
    ).toHaveLength(2);
  });

  it('should reject a malformed clinic id', async () => {
    expectValidationError(await t.call('DELETE', '/v1/clinics/xyz', { token: server }), 'clinicId');
  });

  it('should answer 404 "clinic not found" for an unknown clinic', async () => {
    expectError(await t.call('DELETE', `/v1/clinics/${newObjectId()}`, { token: server }), 404, 'clinic not found');
  });
});
