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
