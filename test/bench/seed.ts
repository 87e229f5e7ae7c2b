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

export interface PatientsFixture {
  /** Users the CreatePatientFromUser run adds to the target clinic, one per request. */
  newPatientUserIds: string[];
}

/**
 * Patients: one per clinic made through the API (CreatePatientFromUser), the rest cloned from it in
 * bulk with their own user, name, e-mail, MRN, birth date and CGM summary, then each clinic's counts
 * recomputed through the API (RefreshPatientCount). The target clinic gets `targetClinicPatients`;
 * the others share the rest of `totalPatients`.
 */
export async function seedPatients(
  db: Db,
  client: BenchClient,
  fixture: NetworkFixture,
  size: { totalPatients: number; targetClinicPatients: number; newPatientUsers: number },
): Promise<PatientsFixture> {
  const { fullNameKey, mrnLower } = await import('../../src/modules/clinics/patients/patient.schema');
  const others = fixture.clinicIds.length - 1;
  const perOther = Math.floor((size.totalPatients - size.targetClinicPatients) / others);
  const patients = db.collection('patients');
  for (const [index, clinicId] of fixture.clinicIds.entries()) {
    const count = index === 0 ? size.targetClinicPatients : perOther;
    if (count === 0) continue;
    const [first] = await insertUsers(db, client, 1, `patient-${index}`);
    await client.call('POST', `/v1/clinics/${clinicId}/patients/${first.userId}`, fixture.server, {});
    const template = await patients.findOne({ userId: first.userId });
    if (!template) throw new Error('the template patient was not stored');
    const clones = Array.from({ length: count - 1 }, (_, i) => {
      const fullName = `${PATIENT_NAMES[i % PATIENT_NAMES.length]} ${index}-${i}`;
      const mrn = `MRN${index}X${i}`;
      const lastData = new Date(Date.now() - (i % 30) * 86_400_000);
      const { _id: _ignored, ...rest } = template;
      return {
        ...rest,
        userId: randomBytes(5).toString('hex'),
        fullName,
        fullNameKey: fullNameKey(fullName),
        email: `p${index}-${i}@bench.example.com`,
        mrn,
        mrnLower: mrnLower(mrn),
        birthDate: `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`,
        createdTime: new Date(Date.now() - i * 60_000),
        updatedTime: new Date(),
        summary: {
          cgmStats: {
            id: randomBytes(12).toString('hex'),
            dates: { lastData, hasLastData: true, lastUpdatedDate: lastData },
            periods: Object.fromEntries(
              ['1d', '7d', '14d', '30d'].map((period) => [
                period,
                {
                  timeInTargetPercent: ((i * 37) % 100) / 100,
                  hasTimeInTargetPercent: true,
                  timeInVeryLowPercent: ((i * 7) % 10) / 100,
                  hasTimeInVeryLowPercent: true,
                  timeCGMUsePercent: ((i * 13) % 100) / 100,
                  hasTimeCGMUsePercent: true,
                },
              ]),
            ),
          },
        },
      };
    });
    for (let start = 0; start < clones.length; start += 1000) {
      await patients.insertMany(clones.slice(start, start + 1000));
    }
    await client.call('POST', `/v1/clinics/${clinicId}/patient_count/refresh`, fixture.server);
  }
  const newPatients = await insertUsers(db, client, size.newPatientUsers, 'new-patient');
  return { newPatientUserIds: newPatients.map((user) => user.userId) };
}

const PATIENT_NAMES = ['Ada', 'Béla', 'Chidi', 'Dana', 'Émile', 'Farah', 'Goro', 'Hana', 'Ivo', 'Jun'];
