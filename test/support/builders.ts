import { Types } from 'mongoose';
import type { TestApp } from './test-app';

export type ClinicRole = 'CLINIC_ADMIN' | 'CLINIC_MEMBER' | 'PRESCRIBER';

export interface SeededClinician {
  userId: string;
  token: string;
  roles: ClinicRole[];
}

/** Inserts a clinician record straight into the database (for tests that need one in place). */
export async function insertClinicianRecord(
  t: TestApp,
  clinicId: string,
  fields: { userId?: string; inviteId?: string; email?: string; name?: string | null; roles: string[] },
): Promise<string> {
  const now = new Date();
  const _id = new Types.ObjectId();
  await t.connection.collection('clinicians').insertOne({
    _id,
    clinicId: new Types.ObjectId(clinicId),
    ...(fields.userId ? { userId: fields.userId, memberKey: `${clinicId}:${fields.userId}` } : {}),
    ...(fields.inviteId ? { inviteId: fields.inviteId, inviteKey: `${clinicId}:${fields.inviteId}` } : {}),
    ...(fields.email
      ? { email: fields.email.toLowerCase(), emailKey: `${clinicId}:${fields.email.toLowerCase()}` }
      : {}),
    name: fields.name ?? null,
    ...(fields.name ? { nameKey: fields.name.toLowerCase() } : {}),
    roles: fields.roles,
    createdTime: now,
    updatedTime: now,
  });
  return _id.toHexString();
}

/**
 * A user of the embedded directory holding the given roles in the clinic, with a session token. An
 * admin is also listed in the clinic's `admins` (when the clinic document exists), as the service keeps it.
 */
export async function seedClinician(t: TestApp, clinicId: string, roles: ClinicRole[]): Promise<SeededClinician> {
  const user = await t.users.create();
  await insertClinicianRecord(t, clinicId, { userId: user.userId, email: user.username, roles });
  if (roles.includes('CLINIC_ADMIN')) {
    await t.connection
      .collection('clinics')
      .updateOne({ _id: new Types.ObjectId(clinicId) }, { $addToSet: { admins: user.userId } });
  }
  return { userId: user.userId, token: user.token, roles };
}

export function newObjectId(): string {
  return new Types.ObjectId().toHexString();
}

/** Everyone the authorization matrix calls with, around one clinic. */
export interface MatrixFixture {
  clinicId: string;
  /** The user named by `userId`/`patientId`/`clinicianId` path parameters (no role in the clinic). */
  pathUserId: string;
  tokens: {
    server: string;
    userNoRole: string;
    member: string;
    admin: string;
    prescriber: string;
    pathUser: string;
    otherUser: string;
  };
}

/** A clinic with an admin, a member and a prescriber, plus users without a role in it. */
export async function createMatrixFixture(t: TestApp): Promise<MatrixFixture> {
  const clinicId = newObjectId();
  const admin = await seedClinician(t, clinicId, ['CLINIC_ADMIN']);
  const member = await seedClinician(t, clinicId, ['CLINIC_MEMBER']);
  const prescriber = await seedClinician(t, clinicId, ['PRESCRIBER']);
  const now = new Date();
  // The whole id: its last digits are a counter that wraps, so a suffix alone repeats in long runs.
  const shareCode = `M-${clinicId.toUpperCase()}-TEST-CODE`;
  await t.connection.collection('clinics').insertOne({
    _id: new Types.ObjectId(clinicId),
    name: 'Matrix Clinic',
    preferredBgUnits: 'mg/dL',
    canonicalShareCode: shareCode,
    shareCodes: [shareCode],
    admins: [admin.userId],
    isMigrated: true,
    createdTime: now,
    updatedTime: now,
  });
  const [userNoRole, pathUser, otherUser] = await Promise.all([t.users.create(), t.users.create(), t.users.create()]);
  return {
    clinicId,
    pathUserId: pathUser.userId,
    tokens: {
      server: await t.tokens.server('orca'),
      userNoRole: userNoRole.token,
      member: member.token,
      admin: admin.token,
      prescriber: prescriber.token,
      pathUser: pathUser.token,
      otherUser: otherUser.token,
    },
  };
}

export interface CreatedClinic {
  clinicId: string;
  /** The CreateClinic response. */
  clinic: any;
  /** The creator, the clinic's first admin. */
  admin: SeededClinician & { email: string; fullName: string };
}

/** A clinic made through the real API (CreateClinic) by a new user, who becomes its admin. */
export async function createClinic(t: TestApp, overrides: Record<string, unknown> = {}): Promise<CreatedClinic> {
  const fullName = `Admin ${Math.random().toString(36).slice(2, 8)}`;
  const user = await t.users.create({ fullName });
  const res = await t.call<any>('POST', '/v1/clinics', {
    token: user.token,
    body: { name: 'Test Clinic', preferredBgUnits: 'mg/dL', ...overrides },
  });
  if (res.status !== 200) throw new Error(`CreateClinic answered ${res.status}: ${res.text}`);
  return {
    clinicId: res.body.id,
    clinic: res.body,
    admin: { userId: user.userId, token: user.token, roles: ['CLINIC_ADMIN'], email: user.emails[0], fullName },
  };
}

/** A new user added to the clinic through the real API (CreateClinician with a server token). */
export async function addClinician(
  t: TestApp,
  clinicId: string,
  roles: ClinicRole[],
  options: { name?: string; email?: string } = {},
): Promise<SeededClinician & { email: string }> {
  const user = await t.users.create(options.email ? { email: options.email } : {});
  const res = await t.call('POST', `/v1/clinics/${clinicId}/clinicians`, {
    token: await t.tokens.server(),
    body: { id: user.userId, email: user.emails[0], roles, ...(options.name ? { name: options.name } : {}) },
  });
  if (res.status !== 200) throw new Error(`CreateClinician answered ${res.status}: ${res.text}`);
  return { userId: user.userId, token: user.token, roles, email: user.emails[0] };
}

/** A pending invite's clinician record, through the real API (CreateClinician with an inviteId). */
export async function addInvite(
  t: TestApp,
  clinicId: string,
  roles: ClinicRole[],
  email = `invitee-${Math.random().toString(36).slice(2, 10)}@example.com`,
): Promise<{ inviteId: string; email: string }> {
  const inviteId = `invite-${Math.random().toString(36).slice(2, 12)}`;
  const res = await t.call('POST', `/v1/clinics/${clinicId}/clinicians`, {
    token: await t.tokens.server(),
    body: { inviteId, email, roles },
  });
  if (res.status !== 200) throw new Error(`CreateClinician (invite) answered ${res.status}: ${res.text}`);
  return { inviteId, email: email.toLowerCase() };
}

/** A raw patient document (the patients area owns the collection; only the fields the Clinics area reads). */
export async function insertPatient(
  t: TestApp,
  clinicId: string,
  fields: { userId?: string; tags?: string[]; siteIds?: string[] } = {},
): Promise<string> {
  const _id = new Types.ObjectId();
  await t.connection.collection('patients').insertOne({
    _id,
    clinicId: new Types.ObjectId(clinicId),
    userId: fields.userId ?? Math.random().toString(16).slice(2, 12).padEnd(10, '0'),
    ...(fields.tags ? { tags: fields.tags.map((id) => new Types.ObjectId(id)) } : {}),
    ...(fields.siteIds
      ? { sites: fields.siteIds.map((id) => ({ id: new Types.ObjectId(id), name: `site ${id}` })) }
      : {}),
    createdTime: new Date(),
    updatedTime: new Date(),
  });
  return _id.toHexString();
}

/** The clinic document as stored. */
export function findClinicDocument(t: TestApp, clinicId: string): Promise<any> {
  return t.connection.collection('clinics').findOne({ _id: new Types.ObjectId(clinicId) });
}

/** The clinic's clinician documents, invites included. */
export function findClinicianDocuments(t: TestApp, clinicId: string): Promise<any[]> {
  return t.connection
    .collection('clinicians')
    .find({ clinicId: new Types.ObjectId(clinicId) })
    .toArray();
}
