import { createHmac, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AuthConfig } from '../../src/config/auth.config';

/**
 * A local stand-in for the Tidepool platform services, on 127.0.0.1 and a free port. One server plays
 * every service under its own prefix:
 *
 * | service                  | base URL                     | routes |
 * |--------------------------|------------------------------|--------|
 * | shoreline (auth service) | `{url}/shoreline`            | `POST /serverlogin`, `GET /token/{token}`, `GET /user/{idOrEmail}`, `PUT /user/{id}`, `DELETE /user/{id}`, `POST /v1/clinics/{clinicId}/users` |
 * | seagull (profiles)       | `{url}/seagull`              | `GET /{userId}/profile` |
 * | platform auth API        | `{url}/auth`                 | `POST /v1/users/{userId}/restricted_tokens`, `GET /v1/restricted_tokens/{id}` |
 * | IdP token endpoint       | `{url}/realms/test/protocol/openid-connect/token` | client-credentials grant |
 *
 * Everything except `/serverlogin` and the token endpoint requires a server token issued by this stub's
 * `/serverlogin` in `x-tidepool-session-token`, otherwise it answers 401.
 */

export type StubRoute =
  | 'serverlogin'
  | 'token'
  | 'getUser'
  | 'updateUser'
  | 'deleteUser'
  | 'createCustodialUser'
  | 'profile'
  | 'createRestrictedToken'
  | 'getRestrictedToken'
  | 'oauthToken'
  | 'unknown';

/** `normal` answers; `error` answers 500 everywhere; `close` destroys every connection; `hang` never answers. */
export type StubMode = 'normal' | 'error' | 'close' | 'hang';

export interface StubUser {
  userid: string;
  username?: string;
  emails: string[];
  roles?: string[];
  [key: string]: unknown;
}

export interface StubRestrictedToken {
  id: string;
  userId: string;
  expirationTime: string;
  createdTime: string;
}

export interface StubRequest {
  route: StubRoute;
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export const STUB_SERVER_NAME = 'clinic';
export const STUB_SERVER_SECRET = 'stub-server-secret';
export const STUB_CLIENT_ID = 'service-client';
export const STUB_CLIENT_SECRET = 'service-client-secret';

export class TidepoolStub {
  /** How the stub answers; see {@link StubMode}. */
  mode: StubMode = 'normal';
  /** Expected `/serverlogin` credentials. */
  serverName = STUB_SERVER_NAME;
  serverSecret = STUB_SERVER_SECRET;
  /** When set, `/serverlogin` answers this status (and no token). */
  loginStatus?: number;
  /** Delay before `/serverlogin` answers. */
  loginDelayMs = 0;
  /** Delay before `GET /token/{token}` answers: keeps the requests that present a token in flight. */
  tokenDelayMs = 0;
  /** Server tokens issued by `/serverlogin` and still accepted. */
  readonly serverTokens = new Set<string>();
  /**
   * `GET /token/{token}` answers: an object is sent as JSON, a string as a raw (possibly broken) body;
   * unknown tokens answer 404. Example: `{ userid: '1234567890', isserver: false }`.
   */
  readonly tokens = new Map<string, Record<string, unknown> | string>();
  /** Users by id; `GET /user/{x}` also finds them by e-mail or username, ignoring case. */
  readonly users = new Map<string, StubUser>();
  /** Seagull profiles by user id; unknown ids answer 404. */
  readonly profiles = new Map<string, Record<string, unknown>>();
  readonly restrictedTokens = new Map<string, StubRestrictedToken>();
  /** Accepted client credentials of the token endpoint. */
  clientId = STUB_CLIENT_ID;
  clientSecret = STUB_CLIENT_SECRET;
  /** `sub` of the issued id_token. */
  serviceAccountSubject = '9999999999';
  /** Replaces the id_token: `null` leaves it out, a string is sent as is (e.g. a broken JWT). */
  idTokenOverride?: string | null;
  /** Forces a route to answer this status (with a small JSON body), e.g. `routeStatus.set('profile', 503)`. */
  readonly routeStatus = new Map<StubRoute, number>();
  /** Every request received, oldest first. */
  readonly requests: StubRequest[] = [];

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private loginCount = 0;
  private baseUrl = '';

  private constructor() {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch(() => {
        if (!response.headersSent) send(response, 500, { message: 'stub crashed' });
        else response.destroy();
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(): Promise<TidepoolStub> {
    const stub = new TidepoolStub();
    await new Promise<void>((resolve, reject) => {
      stub.server.once('error', reject);
      stub.server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = stub.server.address() as AddressInfo;
    stub.baseUrl = `http://127.0.0.1:${port}`;
    return stub;
  }

  get url(): string {
    return this.baseUrl;
  }

  get authServiceUrl(): string {
    return `${this.baseUrl}/shoreline`;
  }

  get profileServiceUrl(): string {
    return `${this.baseUrl}/seagull`;
  }

  get authApiUrl(): string {
    return `${this.baseUrl}/auth`;
  }

  get tokenEndpoint(): string {
    return `${this.baseUrl}/realms/test/protocol/openid-connect/token`;
  }

  /** An auth configuration (tidepool directory, shoreline provider) pointing at this stub. */
  config(overrides: Partial<AuthConfig> = {}): AuthConfig {
    return {
      provider: 'shoreline',
      authServiceUrl: this.authServiceUrl,
      serverName: this.serverName,
      serverSecret: this.serverSecret,
      userDirectory: 'tidepool',
      profileServiceUrl: this.profileServiceUrl,
      authApiUrl: this.authApiUrl,
      serviceAccountTokenEndpoint: this.tokenEndpoint,
      ...overrides,
    };
  }

  /** Number of requests received for a route (failed ones included). */
  count(route: StubRoute): number {
    return this.requests.filter((request) => request.route === route).length;
  }

  /** The latest request for a route. */
  last(route: StubRoute): StubRequest | undefined {
    return this.requests.filter((request) => request.route === route).at(-1);
  }

  /** Makes every issued server token invalid: the next authenticated call answers 401. */
  revokeServerTokens(): void {
    this.serverTokens.clear();
  }

  /** Back to an empty state in `normal` mode (the port stays). */
  reset(): void {
    this.mode = 'normal';
    this.serverName = STUB_SERVER_NAME;
    this.serverSecret = STUB_SERVER_SECRET;
    this.loginStatus = undefined;
    this.loginDelayMs = 0;
    this.tokenDelayMs = 0;
    this.serverTokens.clear();
    this.tokens.clear();
    this.users.clear();
    this.profiles.clear();
    this.restrictedTokens.clear();
    this.clientId = STUB_CLIENT_ID;
    this.clientSecret = STUB_CLIENT_SECRET;
    this.serviceAccountSubject = '9999999999';
    this.idTokenOverride = undefined;
    this.routeStatus.clear();
    this.requests.length = 0;
    this.loginCount = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? '/', 'http://stub');
    const method = request.method ?? 'GET';
    const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const route = routeOf(method, segments);
    this.requests.push({ route, method, path: url.pathname, headers: request.headers, body });

    if (this.mode === 'close') {
      request.socket.destroy();
      return;
    }
    if (this.mode === 'hang') return;
    if (this.mode === 'error') return send(response, 500, { message: 'stub failure' });
    const forced = this.routeStatus.get(route);
    if (forced !== undefined) return send(response, forced, { code: forced, reason: 'forced by the test' });

    if (route === 'serverlogin') return this.serverLogin(request, response);
    if (route === 'oauthToken') return this.oauthToken(body, response);
    if (route === 'unknown') return send(response, 501, { message: 'not implemented by the stub' });
    const sessionToken = request.headers['x-tidepool-session-token'];
    if (typeof sessionToken !== 'string' || !this.serverTokens.has(sessionToken)) {
      return send(response, 401, { code: 401, reason: 'Unauthorized' });
    }
    switch (route) {
      case 'token': {
        if (this.tokenDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tokenDelayMs));
        const answer = this.tokens.get(segments[2]);
        if (answer === undefined) return send(response, 404, { code: 404, reason: 'Token not found' });
        return typeof answer === 'string' ? sendRaw(response, 200, answer) : send(response, 200, answer);
      }
      case 'getUser': {
        const user = this.findUser(segments[2]);
        return user ? send(response, 200, user) : send(response, 404, { code: 404, reason: 'User not found' });
      }
      case 'updateUser':
        return this.updateUser(segments[2], body, response);
      case 'deleteUser':
        if (!this.users.delete(segments[2])) return send(response, 404, { code: 404, reason: 'User not found' });
        return sendRaw(response, 202, '');
      case 'createCustodialUser':
        return this.createCustodialUser(body, response);
      case 'profile': {
        const profile = this.profiles.get(segments[1]);
        return profile ? send(response, 200, profile) : send(response, 404, { message: 'not found' });
      }
      case 'createRestrictedToken': {
        const now = new Date();
        const token: StubRestrictedToken = {
          id: randomBytes(16).toString('hex'),
          userId: segments[3],
          expirationTime: new Date(now.getTime() + 3_600_000).toISOString(),
          createdTime: now.toISOString(),
        };
        this.restrictedTokens.set(token.id, token);
        return send(response, 201, token);
      }
      case 'getRestrictedToken': {
        const token = this.restrictedTokens.get(segments[3]);
        return token ? send(response, 200, token) : send(response, 404, { code: 'not-found' });
      }
    }
  }

  private async serverLogin(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.loginDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.loginDelayMs));
    if (this.loginStatus !== undefined) return send(response, this.loginStatus, { code: this.loginStatus });
    const name = request.headers['x-tidepool-server-name'];
    const secret = request.headers['x-tidepool-server-secret'];
    if (name !== this.serverName || secret !== this.serverSecret) {
      return send(response, 401, { code: 401, reason: 'Wrong server name or secret' });
    }
    this.loginCount += 1;
    const token = `server-token-${this.loginCount}`;
    this.serverTokens.add(token);
    response.setHeader('x-tidepool-session-token', token);
    return send(response, 200, { userid: this.serverName, isserver: true });
  }

  private findUser(idOrEmail: string): StubUser | undefined {
    const direct = this.users.get(idOrEmail);
    if (direct) return direct;
    const wanted = idOrEmail.toLowerCase();
    return [...this.users.values()].find(
      (user) => user.username?.toLowerCase() === wanted || user.emails.some((email) => email.toLowerCase() === wanted),
    );
  }

  private emailTaken(email: string | undefined, exceptUserId?: string): boolean {
    if (!email) return false;
    const owner = this.findUser(email);
    return owner !== undefined && owner.userid !== exceptUserId;
  }

  private createCustodialUser(body: string, response: ServerResponse): void {
    const input = parseObject(body);
    if (!input) return send(response, 400, { code: 400, reason: 'bad body' });
    const email = typeof input.username === 'string' ? input.username : undefined;
    if (this.emailTaken(email)) return send(response, 409, { code: 409, reason: 'User already exists' });
    const user: StubUser = {
      userid: randomBytes(5).toString('hex'),
      emails: Array.isArray(input.emails) ? (input.emails as string[]) : [],
      roles: [],
      emailVerified: false,
      termsAccepted: '',
    };
    if (email) user.username = email;
    this.users.set(user.userid, user);
    return send(response, 201, user);
  }

  private updateUser(userId: string, body: string, response: ServerResponse): void {
    const user = this.users.get(userId);
    if (!user) return send(response, 404, { code: 404, reason: 'User not found' });
    const updates = parseObject(body)?.updates as Record<string, unknown> | undefined;
    if (!updates) return send(response, 400, { code: 400, reason: 'bad body' });
    const username = typeof updates.username === 'string' ? updates.username : undefined;
    if (this.emailTaken(username, userId)) return send(response, 409, { code: 409, reason: 'Duplicate' });
    if (username) user.username = username;
    if (Array.isArray(updates.emails)) user.emails = updates.emails as string[];
    return send(response, 200, user);
  }

  private oauthToken(body: string, response: ServerResponse): void {
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'client_credentials') {
      return send(response, 400, { error: 'unsupported_grant_type' });
    }
    if (form.get('client_id') !== this.clientId || form.get('client_secret') !== this.clientSecret) {
      return send(response, 401, { error: 'invalid_client' });
    }
    const answer: Record<string, unknown> = { access_token: 'access', token_type: 'Bearer', expires_in: 300 };
    if (this.idTokenOverride !== null) {
      answer.id_token = this.idTokenOverride ?? signHs256({ sub: this.serviceAccountSubject, iss: this.tokenEndpoint });
    }
    return send(response, 200, answer);
  }
}

function routeOf(method: string, segments: string[]): StubRoute {
  const [service, ...rest] = segments;
  const path = rest.join('/');
  if (method === 'POST' && segments.at(-1) === 'serverlogin') return 'serverlogin';
  if (service === 'shoreline') {
    if (method === 'GET' && rest.length === 2 && rest[0] === 'token') return 'token';
    if (method === 'GET' && rest.length === 2 && rest[0] === 'user') return 'getUser';
    if (method === 'PUT' && rest.length === 2 && rest[0] === 'user') return 'updateUser';
    if (method === 'DELETE' && rest.length === 2 && rest[0] === 'user') return 'deleteUser';
    if (method === 'POST' && /^v1\/clinics\/[^/]+\/users$/.test(path)) return 'createCustodialUser';
  }
  if (service === 'seagull' && method === 'GET' && rest.length === 2 && rest[1] === 'profile') return 'profile';
  if (service === 'auth') {
    if (method === 'POST' && /^v1\/users\/[^/]+\/restricted_tokens$/.test(path)) return 'createRestrictedToken';
    if (method === 'GET' && /^v1\/restricted_tokens\/[^/]+$/.test(path)) return 'getRestrictedToken';
  }
  if (service === 'realms' && method === 'POST' && path === 'test/protocol/openid-connect/token') return 'oauthToken';
  return 'unknown';
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  sendRaw(response, status, JSON.stringify(body));
}

function sendRaw(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(text);
}

/** An HS256 JWT signed with a throw-away key (the directory decodes it without verifying). */
export function signHs256(payload: Record<string, unknown>, key = 'stub-signing-key'): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ iat: now, exp: now + 300, ...payload })}`;
  const signature = createHmac('sha256', key).update(unsigned).digest('base64url');
  return `${unsigned}.${signature}`;
}
