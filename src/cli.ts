import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppModule } from './app.module';
import { EmbeddedUserDirectory, NewLocalUser } from './auth/directory/embedded-user.directory';
import { PatientProfile, UserDirectory, UserProfile } from './auth/directory/user-directory';
import { JwtTokenIssuer } from './auth/tokens/jwt-token.issuer';
import { createNestLogger, createRootLogger } from './common/logging/logger';
import { loadAppConfig } from './config/app.config';
import { useEmbeddedDatabaseAsTool } from './database/embedded-database.service';

const USAGE = `Usage: npm run cli -- <command>

  user create --email E --name N [--role R]...   create a local user; prints {"userId", "token"}
        [--birthday YYYY-MM-DD] [--mrn M]        with a patient profile (what CreatePatientFromUser
        [--target-devices a,b]                   reads): birthday, MRN, target devices
  user import FILE                               create every user in a JSON array of
                                                 {email, fullName, roles?, profile?}, where profile is
                                                 {fullName?, patient?: {fullName?, birthday?, mrn?,
                                                 targetDevices?}}; prints their ids and tokens
  token --user ID                                print a user session token
  token --server NAME                            print a server session token

Uses the same configuration as the service (MONGODB_URI, DATA_DIR, AUTH_* …). With the embedded
database it reaches the instance a running service started, or starts one itself.`;

/** Exit 2 with the usage text: the command line is wrong. */
class UsageError extends Error {}
/** Exit 2: the command cannot be carried out with this configuration. */
class RefusalError extends Error {}

interface ParsedArgs {
  positional: string[];
  options: Map<string, string[]>;
}

function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      options.set(name, [...(options.get(name) ?? []), value]);
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}

function single(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.[0];
}

function requireTokenIssuer(context: INestApplicationContext): JwtTokenIssuer {
  const issuer = context.get(JwtTokenIssuer);
  if (!issuer.canIssue()) {
    throw new RefusalError(
      'Tokens can only be minted with AUTH_PROVIDER=jwt and an HS256 secret (AUTH_TOKEN_SECRET, or the development secret). ' +
        'With AUTH_PROVIDER=shoreline, log in through the Tidepool auth service instead.',
    );
  }
  return issuer;
}

function requireEmbeddedDirectory(context: INestApplicationContext): EmbeddedUserDirectory {
  const directory = context.get(UserDirectory);
  if (!(directory instanceof EmbeddedUserDirectory)) {
    throw new RefusalError('Users can only be created with USER_DIRECTORY=embedded.');
  }
  return directory;
}

async function createUsers(context: INestApplicationContext, users: NewLocalUser[]): Promise<object[]> {
  const directory = requireEmbeddedDirectory(context);
  const issuer = requireTokenIssuer(context);
  const created: object[] = [];
  for (const user of users) {
    const record = await directory.createUser(user);
    created.push({
      userId: record.userId,
      email: user.email,
      token: await issuer.issue({ subjectId: record.userId, isServer: false }),
    });
  }
  return created;
}

const BIRTHDAY = /^\d{4}-\d{2}-\d{2}$/;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** A patient profile from the command line or an import item; undefined when it has no fields. */
function patientProfile(fields: Record<string, unknown>, name: (field: string) => string): PatientProfile | undefined {
  const { fullName, birthday, mrn, targetDevices } = fields;
  if (fullName !== undefined && typeof fullName !== 'string') {
    throw new UsageError(`${name('fullName')} must be a string`);
  }
  if (birthday !== undefined && (typeof birthday !== 'string' || !BIRTHDAY.test(birthday))) {
    throw new UsageError(`${name('birthday')} must be a date YYYY-MM-DD`);
  }
  if (mrn !== undefined && typeof mrn !== 'string') throw new UsageError(`${name('mrn')} must be a string`);
  if (targetDevices !== undefined && !isStringArray(targetDevices)) {
    throw new UsageError(`${name('targetDevices')} must be an array of strings`);
  }
  const profile: PatientProfile = {
    ...(fullName !== undefined ? { fullName } : {}),
    ...(birthday !== undefined ? { birthday } : {}),
    ...(mrn !== undefined ? { mrn } : {}),
    ...(targetDevices !== undefined ? { targetDevices } : {}),
  };
  return Object.keys(profile).length > 0 ? profile : undefined;
}

function importedProfile(value: unknown, where: string): UserProfile | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${where} must be {fullName?, patient?: {fullName?, birthday?, mrn?, targetDevices?}}`);
  }
  const { fullName, patient } = value as Record<string, unknown>;
  if (fullName !== undefined && typeof fullName !== 'string') {
    throw new UsageError(`${where}.fullName must be a string`);
  }
  if (patient !== undefined && (typeof patient !== 'object' || patient === null || Array.isArray(patient))) {
    throw new UsageError(`${where}.patient must be an object`);
  }
  const patientFields = patient
    ? patientProfile(patient as Record<string, unknown>, (field) => `${where}.patient.${field}`)
    : undefined;
  return {
    ...(fullName !== undefined ? { fullName } : {}),
    ...(patientFields ? { patient: patientFields } : {}),
  };
}

function readImportFile(file: string): NewLocalUser[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) {
    throw new UsageError(`${file} must hold a JSON array of {email, fullName, roles?, profile?}`);
  }
  return parsed.map((entry: unknown, index) => {
    const { email, fullName, roles, profile } = (entry ?? {}) as Record<string, unknown>;
    const validRoles = roles === undefined || isStringArray(roles);
    if (typeof email !== 'string' || !email.includes('@') || typeof fullName !== 'string' || !validRoles) {
      throw new UsageError(
        `${file}[${index}] must be {email: string, fullName: string, roles?: string[], profile?: object}`,
      );
    }
    const userProfile = importedProfile(profile, `${file}[${index}].profile`);
    return {
      email,
      fullName,
      roles: Array.isArray(roles) ? roles.map(String) : ['clinic'],
      ...(userProfile ? { profile: userProfile } : {}),
    };
  });
}

async function run(argv: string[], context: () => Promise<INestApplicationContext>): Promise<string> {
  const args = parseArgs(argv);
  const [command, subcommand] = args.positional;
  if (command === 'user' && subcommand === 'create') {
    const email = single(args, 'email');
    const fullName = single(args, 'name');
    if (!email || !fullName) throw new UsageError('user create needs --email and --name');
    const targetDevices = single(args, 'target-devices');
    const patient = patientProfile(
      {
        birthday: single(args, 'birthday'),
        mrn: single(args, 'mrn'),
        targetDevices: targetDevices
          ?.split(',')
          .map((device) => device.trim())
          .filter(Boolean),
      },
      (field) => `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`,
    );
    const [created] = await createUsers(await context(), [
      { email, fullName, roles: args.options.get('role') ?? ['clinic'], ...(patient ? { profile: { patient } } : {}) },
    ]);
    const { userId, token } = created as { userId: string; token: string };
    return JSON.stringify({ userId, token });
  }
  if (command === 'user' && subcommand === 'import') {
    const file = args.positional[2];
    if (!file) throw new UsageError('user import needs a FILE');
    const users = readImportFile(file);
    return JSON.stringify(await createUsers(await context(), users), null, 2);
  }
  if (command === 'token') {
    const user = single(args, 'user');
    const server = single(args, 'server');
    if (!user === !server) throw new UsageError('token needs exactly one of --user ID or --server NAME');
    const issuer = requireTokenIssuer(await context());
    return issuer.issue(user ? { subjectId: user, isServer: false } : { subjectId: server ?? '', isServer: true });
  }
  throw new UsageError(command ? `unknown command: ${args.positional.join(' ')}` : 'no command given');
}

async function main(): Promise<void> {
  const config = loadAppConfig();
  // stdout carries only the result; logs go to stderr.
  const logger = createRootLogger({
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
    pretty: false,
    toStderr: true,
  });
  // Beside a running service, reuse the embedded database it runs (and do not claim its data folder).
  useEmbeddedDatabaseAsTool();
  let app: INestApplicationContext | undefined;
  const context = async (): Promise<INestApplicationContext> => {
    app ??= await NestFactory.createApplicationContext(AppModule, {
      logger: createNestLogger(logger),
      abortOnError: false,
    });
    return app;
  };
  let exitCode = 0;
  try {
    process.stdout.write(`${await run(process.argv.slice(2), context)}\n`);
  } catch (error) {
    exitCode = error instanceof UsageError || error instanceof RefusalError ? 2 : 1;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message}\n${error instanceof UsageError ? `\n${USAGE}\n` : ''}`);
  } finally {
    await app?.close();
  }
  process.exit(exitCode);
}

void main();
