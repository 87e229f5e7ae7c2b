import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../../config/auth.config';
import {
  DEFAULT_SERVER_TOKEN_REFRESH_MS,
  DEFAULT_TIMEOUT_MS,
  httpJson,
  type HttpJsonRequest,
  type HttpJsonResponse,
  SESSION_TOKEN_HEADER,
  TIDEPOOL_CLIENT_OPTIONS,
  type TidepoolClientOptions,
} from '../tidepool-http';

/**
 * Our own server session token for calls to the Tidepool platform (`POST {AUTH_SERVICE_URL}/serverlogin`).
 * The token is kept and renewed once it is older than the refresh interval (default 50 minutes; the
 * platform's tokens last an hour) or after a call reported it invalid ({@link invalidate}).
 * Concurrent callers share one login.
 */
@Injectable()
export class ServerTokenProvider {
  private token?: string;
  private obtainedAt = 0;
  private pending?: Promise<string>;
  private readonly refreshMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
    @Optional() @Inject(TIDEPOOL_CLIENT_OPTIONS) options?: TidepoolClientOptions,
  ) {
    this.refreshMs = options?.serverTokenRefreshMs ?? DEFAULT_SERVER_TOKEN_REFRESH_MS;
    this.timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options?.now ?? Date.now;
  }

  /** The current server token, logging in first when there is none or it is due for renewal. Throws on failure. */
  getToken(): Promise<string> {
    if (this.token !== undefined && this.now() - this.obtainedAt < this.refreshMs) {
      return Promise.resolve(this.token);
    }
    if (!this.pending) {
      const login = this.login();
      this.pending = login;
      const clear = (): void => {
        if (this.pending === login) this.pending = undefined;
      };
      login.then(clear, clear);
    }
    return this.pending;
  }

  /**
   * Forgets the token (a call answered 401) so the next {@link getToken} logs in again. With `token`,
   * only that token is forgotten: callers that saw the same stale token cause one login, not several.
   */
  invalidate(token?: string): void {
    if (token !== undefined && token !== this.token) return;
    this.token = undefined;
  }

  /**
   * Sends a request carrying the server token in `x-tidepool-session-token`. When the answer is 401 the
   * token is renewed and the request sent once more. Throws when no token can be had or no answer came.
   */
  async send(request: HttpJsonRequest): Promise<HttpJsonResponse> {
    const first = await this.getToken();
    const response = await this.sendWith(request, first);
    if (response.status !== 401) return response;
    this.invalidate(first);
    return this.sendWith(request, await this.getToken());
  }

  private sendWith(request: HttpJsonRequest, token: string): Promise<HttpJsonResponse> {
    return httpJson({
      ...request,
      timeoutMs: request.timeoutMs ?? this.timeoutMs,
      headers: { ...request.headers, [SESSION_TOKEN_HEADER]: token },
    });
  }

  private async login(): Promise<string> {
    const { authServiceUrl, serverName, serverSecret } = this.config;
    if (!authServiceUrl || !serverSecret) {
      throw new Error('server login is not configured: AUTH_SERVICE_URL and AUTH_SERVER_SECRET are required');
    }
    const startedAt = this.now();
    const response = await httpJson({
      operation: 'server login',
      method: 'POST',
      url: `${authServiceUrl}/serverlogin`,
      headers: { 'x-tidepool-server-name': serverName, 'x-tidepool-server-secret': serverSecret },
      timeoutMs: this.timeoutMs,
    });
    const token = response.headers.get(SESSION_TOKEN_HEADER);
    if (response.status < 200 || response.status >= 300) {
      throw new Error(`server login failed: the auth service answered ${response.status}`);
    }
    if (!token) throw new Error(`server login failed: the answer has no ${SESSION_TOKEN_HEADER} header`);
    this.token = token;
    this.obtainedAt = startedAt;
    return token;
  }
}
