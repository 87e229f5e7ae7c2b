import { Types } from 'mongoose';
import { ShareCodeGenerator } from '../../../src/modules/clinics/clinics/share-code';
import { createClinic, findClinicDocument } from '../../support/builders';
import { useTestApp } from '../../support/test-app';

/** CreateClinic with a share-code generator the test controls, to force collisions. */
describe('CreateClinic — share code collisions', () => {
  const queue: string[] = [];
  const real = new ShareCodeGenerator();
  const t = useTestApp({
    override: (builder) =>
      builder.overrideProvider(ShareCodeGenerator).useValue({ generate: () => queue.shift() ?? real.generate() }),
  });

  it('should retry with a new code when the generated one is already used, canonically or as a merged code', async () => {
    const first = await createClinic(t);
    // A code that now only lives on in another clinic's `shareCodes` (as after a merge, which keeps
    // the merged clinic's code registered to the clinic it was merged into).
    const firstId = new Types.ObjectId(first.clinicId);
    await t.connection
      .collection('clinics')
      .updateOne({ _id: firstId }, { $push: { shareCodes: 'MRGD-CDE2-3456' } } as any);
    await t.connection.collection<any>('share_codes').insertOne({ _id: 'MRGD-CDE2-3456', clinicId: firstId });
    queue.push(first.clinic.shareCode, 'MRGD-CDE2-3456', 'FRSH-CDE2-3456');

    const second = await createClinic(t);

    expect(second.clinic.shareCode).toBe('FRSH-CDE2-3456');
    expect(queue).toEqual([]);
    expect(await findClinicDocument(t, second.clinicId)).toMatchObject({
      canonicalShareCode: 'FRSH-CDE2-3456',
      shareCodes: ['FRSH-CDE2-3456'],
    });
  });

  it('should let two concurrent creations drawing the same new code both succeed with different codes', async () => {
    queue.push('SAME-CDE2-3456', 'SAME-CDE2-3456');
    const [a, b] = await Promise.all([createClinic(t), createClinic(t)]);
    const codes = [a.clinic.shareCode, b.clinic.shareCode];
    expect(codes).toContain('SAME-CDE2-3456');
    expect(new Set(codes).size).toBe(2);
    expect(await t.connection.collection('clinics').countDocuments({ canonicalShareCode: 'SAME-CDE2-3456' })).toBe(1);
    const registered = await t.connection.collection<any>('share_codes').findOne({ _id: 'SAME-CDE2-3456' });
    expect(registered?.clinicId.toHexString()).toBe(codes[0] === 'SAME-CDE2-3456' ? a.clinicId : b.clinicId);
  });

  it('should retry with a new code the creation whose code another concurrent creation drew', async () => {
    // Creations arriving while one is written are written together: the same code may be drawn twice
    // within one batch (refused by the unique index inside the batch) or in two.
    queue.push('FRST-CDE2-3458', 'SAME-CDE2-3458', 'SAME-CDE2-3458', 'OTHR-CDE2-3458');
    const created = await Promise.all([createClinic(t), createClinic(t), createClinic(t), createClinic(t)]);
    const codes = created.map((entry) => entry.clinic.shareCode as string);
    expect(codes.filter((code) => code === 'SAME-CDE2-3458')).toHaveLength(1);
    expect(new Set(codes).size).toBe(4);
    expect(queue).toEqual([]);
    for (const entry of created) {
      expect(await findClinicDocument(t, entry.clinicId)).toMatchObject({
        canonicalShareCode: entry.clinic.shareCode,
        shareCodes: [entry.clinic.shareCode],
      });
      const registered = await t.connection
        .collection<any>('share_codes')
        .find({ clinicId: new Types.ObjectId(entry.clinicId) })
        .toArray();
      expect(registered.map((code) => code._id)).toEqual([entry.clinic.shareCode]);
    }
  });

  it('should find a clinic by a merged code, and free its codes when the clinic is deleted', async () => {
    const first = await createClinic(t);
    const firstId = new Types.ObjectId(first.clinicId);
    await t.connection.collection<any>('share_codes').insertOne({ _id: 'MRGE-CDE2-3457', clinicId: firstId });
    const server = await t.tokens.server();

    const found = await t.call<any>('GET', '/v1/clinics/share_code/MRGE-CDE2-3457', { token: server });
    expect(found.status).toBe(200);
    expect(found.body.id).toBe(first.clinicId);

    expect((await t.call('DELETE', `/v1/clinics/${first.clinicId}`, { token: server })).status).toBe(204);
    expect(await t.connection.collection('share_codes').countDocuments({ clinicId: firstId })).toBe(0);
    expect((await t.call('GET', '/v1/clinics/share_code/MRGE-CDE2-3457', { token: server })).status).toBe(404);
  });
});
