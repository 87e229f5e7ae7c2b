import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Db } from 'mongodb';

export interface BenchUser {
  userId: string;
  email: string;
  token: string;
}

export interface NetworkFixture {
  clinicIds: string[];
  /** The clinic the per-clinic endpoints are measured on. */
  targetClinicId: string;
  /** A member (CLINIC_MEMBER) of the target clinic. */
  member: BenchUser;
  /** A clinician of several clinics (ListClinicsForClinician). */
  multiClinician: BenchUser;
  /** A user with no clinic. */
  outsider: BenchUser;
  server: string;
}

export interface NetworkSize {
  clinics: number;
  cliniciansPerClinic: number;
  /** How many clinics the multi-clinic clinician belongs to. */
  clinicsOfMultiClinician: number;
}

export class BenchClient {
  constructor(
    readonly baseUrl: string,
    private readonly secret: string,
  ) {}

  token(subjectId: string, isServer = false): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ usr: subjectId, svr: isServer ? 'yes' : 'no', dur: 86_400 })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + 86_400)
      .sign(new TextEncoder().encode(this.secret));
  }

  async call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        'x-tidepool-session-token': token,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** Users of the embedded user directory, written as the directory stores them. */
export async function insertUsers(db: Db, client: BenchClient, count: number, prefix: string): Promise<BenchUser[]> {
  const now = new Date();
  const users = Array.from({ length: count }, (_, i) => {
    const userId = randomBytes(5).toString('hex');
    const email = `${prefix}-${i}-${userId}@bench.example.com`;
    return {
      userId,
      username: email,
      emailKey: email,
      emails: [email],
      roles: ['clinic'],
      fullName: `${prefix} ${i}`,
      custodial: false,
      createdTime: now,
      updatedTime: now,
    };
  });
  if (users.length > 0) await db.collection('users').insertMany(users);
  return Promise.all(
    users.map(async (user) => ({ userId: user.userId, email: user.username, token: await client.token(user.userId) })),
  );
}

/** The practice network's clinics and clinicians, made through the service's own API. */
export async function seedNetwork(db: Db, client: BenchClient, size: NetworkSize): Promise<NetworkFixture> {
  const server = await client.token('bench', true);
  const admins = await insertUsers(db, client, size.clinics, 'admin');
  const clinicIds: string[] = [];
  for (const [i, admin] of admins.entries()) {
    const clinic = await client.call<{ id: string }>('POST', '/v1/clinics', admin.token, {
      name: `Clinic ${i}`,
      preferredBgUnits: 'mg/dL',
    });
    clinicIds.push(clinic.id);
  }
  const [multiClinician, outsider] = await insertUsers(db, client, 2, 'special');
  const others = await insertUsers(db, client, size.clinics * (size.cliniciansPerClinic - 1), 'clinician');
  let member: BenchUser | undefined;
  for (const [index, clinicId] of clinicIds.entries()) {
    const joining = others.splice(0, size.cliniciansPerClinic - 1);
    if (index < size.clinicsOfMultiClinician) joining[0] = multiClinician;
    member ??= joining[joining.length - 1];
    for (const user of joining) {
      await client.call('POST', `/v1/clinics/${clinicId}/clinicians`, server, {
        id: user.userId,
        email: user.email,
        name: `Clinician ${user.userId}`,
        roles: ['CLINIC_MEMBER'],
      });
    }
  }
  return { clinicIds, targetClinicId: clinicIds[0], member: member!, multiClinician, outsider, server };
}
