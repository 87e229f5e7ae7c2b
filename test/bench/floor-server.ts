/**
 * The floor: a raw Fastify + `mongodb` driver server doing the same reads and writes as our service
 * for the benchmarked endpoints, with nothing else (no validation, no mapping, no framework) — the
 * least a server on this database can do. Run as its own process by the benchmark.
 *
 * Environment: MONGODB_URI, MONGODB_DATABASE, PORT, AUTH_TOKEN_SECRET.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import { jwtVerify } from 'jose';
import { MongoClient, ObjectId } from 'mongodb';
import { patientListQuery } from '../../src/modules/clinics/patients/list/patient-list-query';

const env = process.env;
const client = new MongoClient(env.MONGODB_URI ?? '');
const db = client.db(env.MONGODB_DATABASE ?? 'clinic');
const secret = new TextEncoder().encode(env.AUTH_TOKEN_SECRET ?? '');
const clinics = db.collection('clinics');
const clinicians = db.collection('clinicians');
const users = db.collection('users');
const shareCodes = db.collection<{ _id: string; clinicId: ObjectId }>('share_codes');
const patients = db.collection('patients');

async function subjectOf(request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
  const token = request.headers['x-tidepool-session-token'];
  if (typeof token !== 'string') {
    void reply.code(400).send({ code: 400 });
    return undefined;
  }
  const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
  return String(payload.usr);
}

const app = Fastify();

app.get<{ Params: { clinicId: string } }>('/v1/clinics/:clinicId', async (request, reply) => {
  if (!(await subjectOf(request, reply))) return;
  const clinic = await clinics.findOne({ _id: new ObjectId(request.params.clinicId) });
  return clinic ?? reply.code(404).send({ code: 404 });
});

app.get<{ Params: { clinicId: string }; Querystring: { limit?: string } }>(
  '/v1/clinics/:clinicId/clinicians',
  async (request, reply) => {
    const userId = await subjectOf(request, reply);
    if (!userId) return;
    const { clinicId } = request.params;
    const member = await clinicians.findOne({ memberKey: `${clinicId}:${userId}` });
    if (!member) return reply.code(403).send({ code: 403 });
    return clinicians
      .find({ clinicId: new ObjectId(clinicId) })
      .sort({ createdTime: -1, _id: -1 })
      .limit(Number(request.query.limit ?? 10))
      .toArray();
  },
);

app.get<{ Params: { userId: string }; Querystring: { limit?: string } }>(
  '/v1/clinicians/:userId/clinics',
  async (request, reply) => {
    if (!(await subjectOf(request, reply))) return;
    const records = await clinicians
      .find({ userId: request.params.userId })
      .sort({ createdTime: -1, _id: -1 })
      .limit(Number(request.query.limit ?? 10))
      .toArray();
    const found = await clinics.find({ _id: { $in: records.map((record) => record.clinicId as ObjectId) } }).toArray();
    return records.map((clinician) => ({ clinician, clinic: found.find((c) => c._id.equals(clinician.clinicId)) }));
  },
);

app.get<{ Params: { clinicId: string }; Querystring: Record<string, string> }>(
  '/v1/clinics/:clinicId/patients',
  async (request, reply) => {
    const userId = await subjectOf(request, reply);
    if (!userId) return;
    const { clinicId } = request.params;
    const member = await clinicians.findOne({ memberKey: `${clinicId}:${userId}` });
    if (!member) return reply.code(403).send({ code: 403 });
    const { offset, limit, ...params } = request.query;
    const { filter, sort } = patientListQuery(clinicId, params);
    const [data, count] = await Promise.all([
      patients.find(filter, { sort, skip: Number(offset ?? 0), limit: Number(limit ?? 10) }).toArray(),
      patients.countDocuments(filter),
    ]);
    return { data, meta: { count } };
  },
);

app.post<{ Params: { clinicId: string; userId: string } }>(
  '/v1/clinics/:clinicId/patients/:userId',
  async (request, reply) => {
    if (!(await subjectOf(request, reply))) return;
    const { clinicId, userId } = request.params;
    const user = await users.findOne({ userId });
    if (!user) return reply.code(404).send({ code: 404 });
    const now = new Date();
    const clinic = new ObjectId(clinicId);
    const patient = {
      clinicId: clinic,
      userId,
      email: user.username,
      fullName: user.fullName,
      fullNameKey: String(user.fullName).toLowerCase(),
      permissions: { view: {} },
      createdTime: now,
      updatedTime: now,
    };
    await patients.insertOne(patient);
    await clinics.updateOne({ _id: clinic }, { $inc: { 'patientCount.total': 1, 'patientCount.plan': 1 } });
    return patient;
  },
);

app.post<{ Body: { name?: string } }>('/v1/clinics', async (request, reply) => {
  const userId = await subjectOf(request, reply);
  if (!userId) return;
  const user = await users.findOne({ userId });
  if (!user) return reply.code(404).send({ code: 404 });
  const clinicId = new ObjectId();
  const code = randomBytes(6).toString('hex').toUpperCase();
  const now = new Date();
  await shareCodes.insertOne({ _id: code, clinicId });
  const clinic = {
    _id: clinicId,
    name: request.body?.name,
    canonicalShareCode: code,
    shareCodes: [code],
    admins: [userId],
    createdTime: now,
    updatedTime: now,
  };
  await clinics.insertOne(clinic);
  await clinicians.insertOne({
    clinicId,
    userId,
    memberKey: `${clinicId.toHexString()}:${userId}`,
    roles: ['CLINIC_ADMIN'],
    createdTime: now,
    updatedTime: now,
  });
  return clinic;
});

async function main(): Promise<void> {
  await client.connect();
  await app.listen({ port: Number(env.PORT ?? 0), host: '127.0.0.1' });
  console.log(`floor listening on ${env.PORT}`);
}

process.on('SIGTERM', () => {
  void app
    .close()
    .then(() => client.close())
    .then(() => process.exit(0));
});
void main();
