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
    roles: fields.roles,
    createdTime: now,
    updatedTime: now,
  });
  return _id.toHexString();
}

/** A user of the embedded directory holding the given roles in the clinic, with a session token. */
export async function seedClinician(t: TestApp, clinicId: string, roles: ClinicRole[]): Promise<SeededClinician> {
  const user = await t.users.create();
  await insertClinicianRecord(t, clinicId, { userId: user.userId, email: user.username, roles });
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
  const shareCode = `M${clinicId.slice(-3).toUpperCase()}-TEST-CODE`;
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
