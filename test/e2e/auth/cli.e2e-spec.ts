import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jwtVerify } from 'jose';
import { MongoClient } from 'mongodb';
import { testDatabaseUri, uniqueDatabaseName } from '../../support/test-database';

const ROOT = resolve(__dirname, '../../..');
const SECRET = randomBytes(24).toString('hex');
const DATABASE = uniqueDatabaseName();

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        MONGODB_URI: testDatabaseUri(),
        MONGODB_DATABASE: DATABASE,
        AUTH_TOKEN_SECRET: SECRET,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'clinics-cli-')),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

async function claimsOf(token: string): Promise<Record<string, unknown>> {
  return (await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'] })).payload;
}

describe('command-line tool', () => {
  jest.setTimeout(60_000);
  const client = new MongoClient(testDatabaseUri());
  afterAll(async () => {
    await client.db(DATABASE).dropDatabase();
    await client.close();
  });

  it('should create a user and print its id and a user token', async () => {
    const result = await cli(['user', 'create', '--email', 'Dana@Example.com', '--name', 'Dana Doctor']);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as { userId: string; token: string };
    expect(Object.keys(output).sort()).toEqual(['token', 'userId']);
    expect(output.userId).toMatch(/^[0-9a-f]{10}$/);
    expect(await claimsOf(output.token)).toMatchObject({ usr: output.userId, svr: 'no' });
    const stored = await client.db(DATABASE).collection('users').findOne({ userId: output.userId });
    expect(stored).toMatchObject({
      username: 'Dana@Example.com',
      emailKey: 'dana@example.com',
      fullName: 'Dana Doctor',
      roles: ['clinic'],
    });
  });

  it('should refuse a second user with the same e-mail in any case, exit 1', async () => {
    expect((await cli(['user', 'create', '--email', 'Gale@Example.com', '--name', 'Gale'])).code).toBe(0);
    const result = await cli(['user', 'create', '--email', 'GALE@example.com', '--name', 'Again']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('duplicate: email address is already taken');
    expect(result.stdout).toBe('');
  });

  it('should import users from a JSON file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'clinics-import-')), 'users.json');
    writeFileSync(
      file,
      JSON.stringify([
        { email: 'erin@example.com', fullName: 'Erin', roles: ['clinic'] },
        { email: 'finn@example.com', fullName: 'Finn' },
      ]),
    );
    const result = await cli(['user', 'import', file]);
    expect(result.code).toBe(0);
    const users = JSON.parse(result.stdout) as Array<{ userId: string; email: string; token: string }>;
    expect(users.map((user) => user.email)).toEqual(['erin@example.com', 'finn@example.com']);
    for (const user of users) expect(await claimsOf(user.token)).toMatchObject({ usr: user.userId, svr: 'no' });
    expect(
      await client
        .db(DATABASE)
        .collection('users')
        .countDocuments({ userId: { $in: users.map((u) => u.userId) } }),
    ).toBe(2);
  });

  it('should create a user with a patient profile (birthday, MRN, target devices)', async () => {
    const result = await cli([
      'user',
      'create',
      '--email',
      'pia@example.com',
      '--name',
      'Pia Patient',
      '--birthday',
      '2011-04-05',
      '--mrn',
      'MRN-77',
      '--target-devices',
      'dexcomG6,omnipod',
    ]);
    expect(result.code).toBe(0);
    const { userId } = JSON.parse(result.stdout) as { userId: string };
    const stored = await client.db(DATABASE).collection('users').findOne({ userId });
    expect(stored?.profile).toEqual({
      patient: { birthday: '2011-04-05', mrn: 'MRN-77', targetDevices: ['dexcomG6', 'omnipod'] },
    });
  });

  it('should refuse a birthday that is not YYYY-MM-DD, exit 2, creating nobody', async () => {
    const result = await cli(['user', 'create', '--email', 'bad@example.com', '--name', 'B', '--birthday', '5/4/2011']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--birthday must be a date YYYY-MM-DD');
    expect(await client.db(DATABASE).collection('users').countDocuments({ emailKey: 'bad@example.com' })).toBe(0);
  });

  it('should import users with profiles, and refuse an import item whose profile is malformed', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'clinics-import-'));
    const file = join(folder, 'patients.json');
    const profile = {
      fullName: 'Quinn Q.',
      patient: { fullName: 'Quinn Patient', birthday: '2009-12-31', mrn: 'Q-1', targetDevices: ['tandem'] },
    };
    writeFileSync(file, JSON.stringify([{ email: 'quinn@example.com', fullName: 'Quinn', roles: [], profile }]));
    const result = await cli(['user', 'import', file]);
    expect(result.code).toBe(0);
    const [user] = JSON.parse(result.stdout) as Array<{ userId: string }>;
    const stored = await client.db(DATABASE).collection('users').findOne({ userId: user.userId });
    expect(stored).toMatchObject({ fullName: 'Quinn', roles: [], profile });

    const bad = join(folder, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify([{ email: 'rex@example.com', fullName: 'Rex', profile: { patient: { targetDevices: 'x' } } }]),
    );
    const refused = await cli(['user', 'import', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[0].profile.patient.targetDevices must be an array of strings');
    expect(await client.db(DATABASE).collection('users').countDocuments({ emailKey: 'rex@example.com' })).toBe(0);
  });

  it('should print user and server tokens alone on one line', async () => {
    const user = await cli(['token', '--user', '0123456789']);
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(await claimsOf(user.stdout.trim())).toMatchObject({ usr: '0123456789', svr: 'no' });
    const server = await cli(['token', '--server', 'orca']);
    expect(await claimsOf(server.stdout.trim())).toMatchObject({ usr: 'orca', svr: 'yes' });
  });

  it('should refuse to mint tokens with the shoreline provider, exit 2', async () => {
    const result = await cli(['token', '--user', '0123456789'], {
      AUTH_PROVIDER: 'shoreline',
      AUTH_SERVICE_URL: 'http://127.0.0.1:9',
      AUTH_SERVER_SECRET: 'secret',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('AUTH_PROVIDER=jwt');
  });

  it('should explain its usage on a wrong command line, exit 2', async () => {
    const result = await cli(['token']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage: npm run cli');
  });
});
