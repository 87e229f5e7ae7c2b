import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { decodeJwt } from 'jose';
import { ApiError } from '../../common/errors/api-error';
import { authConfig } from '../../config/auth.config';
import {
  DEFAULT_TIMEOUT_MS,
  field,
  httpJson,
  type HttpJsonRequest,
  type HttpJsonResponse,
  isRecord,
  stringArrayField,
  stringField,
  TIDEPOOL_CLIENT_OPTIONS,
  type TidepoolClientOptions,
} from '../tidepool-http';
import { ServerTokenProvider } from '../tokens/server-token.provider';
import {
  CustodialUserInput,
  DirectoryUser,
  RestrictedToken,
  ServiceAccountCredentials,
  UserDirectory,
  UserProfile,
} from './user-directory';

const EMAIL_TAKEN = 'email address is already taken';

/**
 * The user directory backed by the Tidepool platform over HTTP: users from the auth service
 * (shoreline, AUTH_SERVICE_URL), profiles from seagull (PROFILE_SERVICE_URL), restricted tokens from
 * the platform auth API (AUTH_API_URL), service accounts from the IdP token endpoint. Calls carry our
 * server token. Unexpected answers and unreachable services throw plain Errors (500s).
 */
@Injectable()
export class TidepoolUserDirectory extends UserDirectory {
  private readonly timeoutMs: number;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    private readonly serverToken: ServerTokenProvider,
    @Optional() @Inject(TIDEPOOL_CLIENT_OPTIONS) options?: TidepoolClientOptions,
  ) {
    super();
    this.timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  getUser(userId: string): Promise<DirectoryUser | undefined> {
    return this.lookUpUser(userId, 'GET /user/{id}');
  }

  findUserByEmail(email: string): Promise<DirectoryUser | undefined> {
    return this.lookUpUser(email, 'GET /user/{email}');
  }

  async getProfile(userId: string): Promise<UserProfile | undefined> {
    const operation = 'GET /{id}/profile';
    const response = await this.send({
      operation,
      method: 'GET',
      url: `${this.baseUrl('profileServiceUrl', 'PROFILE_SERVICE_URL')}/${encodeURIComponent(userId)}/profile`,
    });
    if (response.status === 404) return undefined;
    expectStatus(operation, response, 200);
    return toProfile(operation, response.body);
  }

  async createCustodialUser(input: CustodialUserInput): Promise<DirectoryUser> {
    const operation = 'POST /v1/clinics/{clinicId}/users';
    const response = await this.send({
      operation,
      method: 'POST',
      url: `${this.authServiceUrl()}/v1/clinics/${encodeURIComponent(input.clinicId)}/users`,
      json: input.email ? { username: input.email, emails: [input.email] } : {},
    });
    if (response.status === 409) throw ApiError.duplicate(EMAIL_TAKEN);
    expectStatus(operation, response, 200, 201);
    return { ...toUser(operation, response.body), custodial: true };
  }

  /** `DELETE /user/{id}` on the auth service with our server token; an unknown user is fine. */
  async removeCustodialUser(userId: string): Promise<void> {
    const operation = 'DELETE /user/{id}';
    const response = await this.send({
      operation,
      method: 'DELETE',
      url: `${this.authServiceUrl()}/user/${encodeURIComponent(userId)}`,
    });
    if (response.status === 404) return;
    expectStatus(operation, response, 200, 202, 204);
  }

  async updateUserEmail(userId: string, email: string): Promise<void> {
    const operation = 'PUT /user/{id}';
    const response = await this.send({
      operation,
      method: 'PUT',
      url: `${this.authServiceUrl()}/user/${encodeURIComponent(userId)}`,
      json: { updates: { username: email, emails: [email] } },
    });
    if (response.status === 409) throw ApiError.duplicate(EMAIL_TAKEN);
    expectStatus(operation, response, 200, 204);
  }

  async createRestrictedToken(userId: string): Promise<RestrictedToken> {
    const operation = 'POST /v1/users/{id}/restricted_tokens';
    const response = await this.send({
      operation,
      method: 'POST',
      url: `${this.baseUrl('authApiUrl', 'AUTH_API_URL')}/v1/users/${encodeURIComponent(userId)}/restricted_tokens`,
      json: {},
    });
    expectStatus(operation, response, 200, 201);
    return toRestrictedToken(operation, response.body);
  }

  async getRestrictedToken(id: string): Promise<RestrictedToken | undefined> {
    const operation = 'GET /v1/restricted_tokens/{id}';
    const response = await this.send({
      operation,
      method: 'GET',
      url: `${this.baseUrl('authApiUrl', 'AUTH_API_URL')}/v1/restricted_tokens/${encodeURIComponent(id)}`,
    });
    if (response.status === 404) return undefined;
    expectStatus(operation, response, 200);
    return toRestrictedToken(operation, response.body);
  }

  /**
   * OAuth2 client-credentials grant (scope `openid`) at SERVICE_ACCOUNT_TOKEN_ENDPOINT. The `id_token` is
   * decoded without verifying its signature, as the platform does: it comes straight from the IdP over
   * the connection we opened. Its `sub` is the service account's user id.
   */
  async resolveServiceAccount(credentials: ServiceAccountCredentials): Promise<{ userId: string }> {
    const endpoint = this.config.serviceAccountTokenEndpoint;
    if (!endpoint) throw new Error('service account: token endpoint is missing (SERVICE_ACCOUNT_TOKEN_ENDPOINT)');
    const response = await httpJson({
      operation: 'service account client-credentials grant',
      method: 'POST',
      url: endpoint,
      form: {
        grant_type: 'client_credentials',
        scope: 'openid',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      },
      timeoutMs: this.timeoutMs,
    });
    if (response.status !== 200) {
      throw new Error(
        `service account: client-credentials grant failed, the token endpoint answered ${response.status}`,
      );
    }
    const idToken = isRecord(response.body) ? stringField(response.body, 'id_token') : undefined;
    if (!idToken) throw new Error('service account: the token response has no id_token');
    let subject: unknown;
    try {
      subject = decodeJwt(idToken).sub;
    } catch {
      throw new Error('service account: the id_token is not a parsable JWT');
    }
    if (typeof subject !== 'string' || subject === '') throw new Error('service account: the id_token has no subject');
    return { userId: subject };
  }

  private async lookUpUser(idOrEmail: string, operation: string): Promise<DirectoryUser | undefined> {
    const response = await this.send({
      operation,
      method: 'GET',
      url: `${this.authServiceUrl()}/user/${encodeURIComponent(idOrEmail)}`,
    });
    if (response.status === 404) return undefined;
    expectStatus(operation, response, 200);
    return toUser(operation, response.body);
  }

  private send(request: HttpJsonRequest): Promise<HttpJsonResponse> {
    return this.serverToken.send({ ...request, timeoutMs: this.timeoutMs });
  }

  private authServiceUrl(): string {
    return this.baseUrl('authServiceUrl', 'AUTH_SERVICE_URL');
  }

  private baseUrl(key: 'authServiceUrl' | 'profileServiceUrl' | 'authApiUrl', variable: string): string {
    const url = this.config[key];
    if (!url) throw new Error(`user directory: ${variable} is not configured`);
    return url;
  }
}

function expectStatus(operation: string, response: HttpJsonResponse, ...expected: number[]): void {
  if (!expected.includes(response.status)) {
    throw new Error(`${operation}: unexpected answer ${response.status}`);
  }
}

function unexpectedBody(operation: string, what: string): Error {
  return new Error(`${operation}: the answer is not ${what}`);
}

function toUser(operation: string, body: unknown): DirectoryUser {
  const userId = isRecord(body) ? stringField(body, 'userid') : undefined;
  if (!isRecord(body) || !userId) throw unexpectedBody(operation, 'a user with a user id');
  const user: DirectoryUser = {
    userId,
    emails: stringArrayField(body, 'emails'),
    roles: stringArrayField(body, 'roles'),
  };
  const username = stringField(body, 'username');
  if (username) user.username = username;
  return user;
}

function toProfile(operation: string, body: unknown): UserProfile {
  if (!isRecord(body)) throw unexpectedBody(operation, 'a profile object');
  const profile: UserProfile = {};
  const fullName = stringField(body, 'fullName');
  if (fullName !== undefined) profile.fullName = fullName;
  const patient = field(body, 'patient');
  if (isRecord(patient)) {
    profile.patient = {};
    for (const key of ['fullName', 'birthday', 'mrn'] as const) {
      const value = stringField(patient, key);
      if (value !== undefined) profile.patient[key] = value;
    }
    if (Array.isArray(field(patient, 'targetDevices'))) {
      profile.patient.targetDevices = stringArrayField(patient, 'targetDevices');
    }
  }
  return profile;
}

function toRestrictedToken(operation: string, body: unknown): RestrictedToken {
  if (isRecord(body)) {
    const id = stringField(body, 'id');
    const userId = stringField(body, 'userId');
    const expirationTime = stringField(body, 'expirationTime');
    const createdTime = stringField(body, 'createdTime');
    if (id && userId && expirationTime && createdTime) return { id, userId, expirationTime, createdTime };
  }
  throw unexpectedBody(operation, 'a restricted token');
}
