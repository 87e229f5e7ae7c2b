import { Writable } from 'node:stream';
import type { ModuleMetadata } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, TestingModuleBuilder } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import { APPLICATION_OPTIONS, configureApp, createFastifyAdapter, serviceModule } from '../../src/app.factory';
import { createNestLogger, createRootLogger } from '../../src/common/logging/logger';
import { randomBytes } from 'node:crypto';
import { EmbeddedUserDirectory, NewLocalUser } from '../../src/auth/directory/embedded-user.directory';
import type { DirectoryUser } from '../../src/auth/directory/user-directory';
import { JwtTokenIssuer, TokenRequest } from '../../src/auth/tokens/jwt-token.issuer';
import { authConfig, loadAuthConfig } from '../../src/config/auth.config';
import { databaseConfig } from '../../src/config/database.config';
import { testDatabaseUri, uniqueDatabaseName } from './test-database';

export interface TestResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  text: string;
}

export interface CallOptions {
  /** Session token for `x-tidepool-session-token`. */
  token?: string;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: NestFastifyApplication;
  connection: Connection;
  /** Every log line the app wrote, parsed. */
  logs: Array<Record<string, unknown>>;
  call<T = unknown>(method: string, url: string, options?: CallOptions): Promise<TestResponse<T>>;
  /** Session tokens minted with the app's own key. */
  tokens: {
    user(userId: string, options?: Partial<TokenRequest>): Promise<string>;
    server(name?: string): Promise<string>;
  };
  /** Accounts in the embedded user directory. */
  users: {
    create(user?: Partial<NewLocalUser>): Promise<DirectoryUser & { token: string }>;
  };
  close(): Promise<void>;
}

/** The secret test apps sign and verify session tokens with (never the developer's DATA_DIR secret). */
export const TEST_TOKEN_SECRET = randomBytes(32).toString('hex');

export interface TestAppOptions {
  /** Extra modules or providers, e.g. a test-only controller. */
  imports?: ModuleMetadata['imports'];
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/** Boots the real application on its own database of the run's database server. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger = createRootLogger({ level: 'info', pretty: false, destination: sink });

  let builder = Test.createTestingModule({ imports: [serviceModule(options.imports)] })
    .overrideProvider(databaseConfig.KEY)
    .useValue({
      uri: testDatabaseUri(),
      databaseName: uniqueDatabaseName(),
      timeoutMs: 5000,
      embeddedCacheDir: '.cache/ferretdb',
      // Each test app has a database of its own, which only it writes.
      readCaches: true,
    } satisfies ReturnType<typeof databaseConfig>)
    .overrideProvider(authConfig.KEY)
    .useValue({ ...loadAuthConfig(), provider: 'jwt', userDirectory: 'embedded', tokenSecret: TEST_TOKEN_SECRET });
  if (options.override) builder = options.override(builder);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(logger), {
    ...APPLICATION_OPTIONS,
    logger: createNestLogger(logger),
  });
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const connection = app.get<Connection>(getConnectionToken());
  const issuer = app.get(JwtTokenIssuer);
  const directory = app.get(EmbeddedUserDirectory);
  let userCounter = 0;

  return {
    app,
    connection,
    logs,
    async call<T>(method: string, url: string, callOptions: CallOptions = {}): Promise<TestResponse<T>> {
      const headers: Record<string, string> = { ...callOptions.headers };
      if (callOptions.token !== undefined) headers['x-tidepool-session-token'] = callOptions.token;
      const query: Record<string, string> = {};
      for (const [key, value] of Object.entries(callOptions.query ?? {})) {
        if (value !== undefined) query[key] = String(value);
      }
      const response = await app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers,
        query,
        ...(callOptions.body !== undefined ? { payload: callOptions.body as object } : {}),
      });
      const text = response.body;
      let body: unknown = text;
      if (String(response.headers['content-type'] ?? '').includes('json') && text.length > 0) {
        body = JSON.parse(text);
      }
      return { status: response.statusCode, headers: response.headers, body: body as T, text };
    },
    tokens: {
      user: (userId, tokenOptions) => issuer.issue({ ...tokenOptions, subjectId: userId, isServer: false }),
      server: (name = 'orca') => issuer.issue({ subjectId: name, isServer: true }),
    },
    users: {
      async create(user = {}) {
        userCounter += 1;
        const unique = `${Date.now().toString(36)}${userCounter}`;
        const created = await directory.createUser({
          email: user.email ?? `clinician-${unique}@example.com`,
          fullName: user.fullName ?? `Clinician ${unique}`,
          roles: user.roles ?? ['clinic'],
          ...(user.profile ? { profile: user.profile } : {}),
        });
        return { ...created, token: await issuer.issue({ subjectId: created.userId, isServer: false }) };
      },
    },
    async close(): Promise<void> {
      await connection.dropDatabase().catch(() => undefined);
      await app.close();
    },
  };
}

/**
 * The test app of the enclosing `describe` block (or file): created in a `beforeAll`, its database
 * dropped and the app closed in an `afterAll`. The returned handle forwards to that app, so use it
 * inside tests and hooks only (not while jest collects the tests).
 *
 * ```ts
 * describe('something', () => {
 *   const t = useTestApp();
 *   it('works', async () => expect((await t.call('GET', '/live')).status).toBe(200));
 * });
 * ```
 *
 * Pass the options as a function when they depend on something an earlier `beforeAll` prepared (a
 * stub server's address, say); it is called when the app is created.
 */
export function useTestApp(options: TestAppOptions | (() => TestAppOptions) = {}): TestApp {
  let current: TestApp | undefined;
  beforeAll(async () => {
    current = await createTestApp(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    const app = current;
    current = undefined;
    await app?.close();
  });
  return new Proxy({} as TestApp, {
    get(_target, property) {
      // Not a thenable, and inspectable, whether running or not.
      if (!current && (typeof property === 'symbol' || property === 'then')) return undefined;
      if (!current) {
        throw new Error(
          `the test app is not running: use the handle of useTestApp() inside tests and hooks (read .${String(property)})`,
        );
      }
      return Reflect.get(current, property) as unknown;
    },
  });
}
