import { Types } from 'mongoose';
import { addClinician, createClinic, CreatedClinic, findClinicDocument } from '../../support/builders';
import { addUserPatient } from '../../support/patient-builders';
import type { TestApp } from '../../support/test-app';

/**
 * Two clinics set up for a merge: overlapping tags, same-name sites, shared clinicians (one an admin
 * in the source only), a shared patient, and name/MRN duplicates. `labels` names every user id.
 */
export interface MergeScenario {
  source: CreatedClinic;
  target: CreatedClinic;
  /** userId → label, for comparing end states across scenarios. */
  labels: Map<string, string>;
  users: Record<string, string>;
  tagIds: Record<'sourceShared' | 'sourceOnly' | 'targetShared' | 'targetOnly', string>;
  siteIds: Record<'sourceNorth' | 'sourceSouth' | 'targetNorth', string>;
}

async function setTagsAndSites(
  t: TestApp,
  clinicId: string,
  tags: Array<[string, string]>,
  sites: Array<[string, string]>,
): Promise<void> {
  await t.connection.collection('clinics').updateOne(
    { _id: new Types.ObjectId(clinicId) },
    {
      $set: {
        patientTags: tags.map(([id, name]) => ({ _id: new Types.ObjectId(id), name })),
        sites: sites.map(([id, name]) => ({ id: new Types.ObjectId(id), name })),
      },
    },
  );
}

/** Sets a patient's tags and sites in place (the tag/site operations are not what is tested here). */
export async function setPatientTagsAndSites(
  t: TestApp,
  clinicId: string,
  userId: string,
  tags: string[],
  sites: Array<[string, string]>,
): Promise<void> {
  await t.connection.collection('patients').updateOne(
    { clinicId: new Types.ObjectId(clinicId), userId },
    {
      $set: {
        tags: tags.map((id) => new Types.ObjectId(id)),
        sites: sites.map(([id, name]) => ({ id: new Types.ObjectId(id), name })),
      },
    },
  );
}

function oid(): string {
  return new Types.ObjectId().toHexString();
}

export async function buildMergeScenario(t: TestApp): Promise<MergeScenario> {
  const server = await t.tokens.server();
  const source = await createClinic(t, { name: 'Source Clinic' });
  const target = await createClinic(t, { name: 'Target Clinic' });
  const tagIds = { sourceShared: oid(), sourceOnly: oid(), targetShared: oid(), targetOnly: oid() };
  const siteIds = { sourceNorth: oid(), sourceSouth: oid(), targetNorth: oid() };
  await setTagsAndSites(
    t,
    source.clinicId,
    [
      [tagIds.sourceShared, 'Shared'],
      [tagIds.sourceOnly, 'Only Source'],
    ],
    [
      [siteIds.sourceNorth, 'North'],
      [siteIds.sourceSouth, 'South'],
    ],
  );
  await setTagsAndSites(
    t,
    target.clinicId,
    [
      [tagIds.targetShared, 'Shared'],
      [tagIds.targetOnly, 'Only Target'],
    ],
    [[siteIds.targetNorth, 'North']],
  );

  // Clinicians: an admin of the source who is a member of the target, and a source member.
  const both = await addClinician(t, source.clinicId, ['CLINIC_ADMIN'], { name: 'Bea Both' });
  const res = await t.call('POST', `/v1/clinics/${target.clinicId}/clinicians`, {
    token: server,
    body: { id: both.userId, email: both.email, roles: ['CLINIC_MEMBER'], name: 'Bea Both' },
  });
  if (res.status !== 200) throw new Error(`CreateClinician answered ${res.status}: ${res.text}`);
  const sourceMember = await addClinician(t, source.clinicId, ['CLINIC_MEMBER'], { name: 'Sid Source' });

  // Patients.
  const profile = (fullName: string, birthday: string, mrn?: string) => ({
    fullName,
    profile: { fullName, patient: { birthday, ...(mrn ? { mrn } : {}) } },
  });
  const shared = await addUserPatient(t, source.clinicId, profile('Sam Shared', '2001-01-01'));
  const share = await t.call('POST', `/v1/clinics/${target.clinicId}/patients/${shared.userId}`, {
    token: server,
    body: { permissions: { view: {} } },
  });
  if (share.status !== 200) throw new Error(`CreatePatientFromUser answered ${share.status}: ${share.text}`);
  const moved = await addUserPatient(t, source.clinicId, profile('Mia Moved', '2002-02-02', 'MRN-1'));
  const north = await addUserPatient(t, source.clinicId, profile('Nils North', '2003-03-03'));
  const twinA = await addUserPatient(t, source.clinicId, profile('Nora Name', '2004-04-04'));
  const twinB = await addUserPatient(t, source.clinicId, profile('Nora Name', '2005-05-05'));
  const likely = await addUserPatient(t, target.clinicId, profile('Mia Moved', '2002-02-02'));
  const mrnTwin = await addUserPatient(t, target.clinicId, profile('Tom Target', '2006-06-06', 'mrn-1'));

  await setPatientTagsAndSites(
    t,
    source.clinicId,
    shared.userId,
    [tagIds.sourceShared, tagIds.sourceOnly],
    [[siteIds.sourceSouth, 'South']],
  );
  await setPatientTagsAndSites(
    t,
    target.clinicId,
    shared.userId,
    [tagIds.targetOnly],
    [[siteIds.targetNorth, 'North']],
  );
  await setPatientTagsAndSites(
    t,
    source.clinicId,
    moved.userId,
    [tagIds.sourceShared, tagIds.sourceOnly],
    [[siteIds.sourceSouth, 'South']],
  );
  await setPatientTagsAndSites(t, source.clinicId, north.userId, [], [[siteIds.sourceNorth, 'North']]);

  const users = {
    sourceAdmin: source.admin.userId,
    targetAdmin: target.admin.userId,
    both: both.userId,
    sourceMember: sourceMember.userId,
    shared: shared.userId,
    moved: moved.userId,
    north: north.userId,
    twinA: twinA.userId,
    twinB: twinB.userId,
    likely: likely.userId,
    mrnTwin: mrnTwin.userId,
  };
  return {
    source,
    target,
    users,
    labels: new Map(Object.entries(users).map(([label, userId]) => [userId, label])),
    tagIds,
    siteIds,
  };
}

/**
 * The target's end state in terms of labels and names (ids differ between scenarios): tags, sites,
 * clinicians and their roles, admins, patients with their tag and site names, counts, share codes.
 */
export async function describeTarget(t: TestApp, scenario: MergeScenario): Promise<unknown> {
  const clinic = await findClinicDocument(t, scenario.target.clinicId);
  const label = (userId: string) => scenario.labels.get(userId) ?? userId;
  const tagNames = new Map<string, string>(
    (clinic.patientTags ?? []).map((tag: any) => [String(tag._id), tag.name as string]),
  );
  const clinicId = new Types.ObjectId(scenario.target.clinicId);
  const patients = await t.connection.collection('patients').find({ clinicId }).toArray();
  const clinicians = await t.connection.collection('clinicians').find({ clinicId }).toArray();
  return {
    tags: (clinic.patientTags ?? []).map((tag: any) => tag.name).sort(),
    sites: (clinic.sites ?? []).map((site: any) => site.name).sort(),
    admins: clinic.admins.map(label).sort(),
    shareCodes: clinic.shareCodes
      .map((code: string) =>
        code === scenario.source.clinic.shareCode
          ? 'source'
          : code === scenario.target.clinic.shareCode
            ? 'target'
            : code,
      )
      .sort(),
    patientCount: { total: clinic.patientCount?.total, plan: clinic.patientCount?.plan },
    clinicians: Object.fromEntries(
      clinicians
        .map((clinician) => [label(clinician.userId), [...clinician.roles].sort()] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
    patients: Object.fromEntries(
      patients
        .map(
          (patient) =>
            [
              label(patient.userId),
              {
                tags: (patient.tags ?? []).map((id: any) => tagNames.get(String(id)) ?? `unknown ${String(id)}`).sort(),
                sites: (patient.sites ?? []).map((site: any) => site.name).sort(),
                mrn: patient.mrn,
              },
            ] as const,
        )
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}
