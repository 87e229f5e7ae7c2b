import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { httpJson, HttpTransportError } from '../../auth/tidepool-http';
import { xealthConfig } from '../../config/xealth.config';
import { XealthErrors } from './xealth-errors';

/** A cached access token is renewed this long before it expires. */
const EXPIRY_MARGIN_MS = 30_000;

/** Xealth's ReadOrder answer, as much as the service reads; stored whole. */
export interface XealthReadOrder {
  patientIdentity?: unknown;
  orderInfo?: Record<string, unknown>;
  preorder?: { dataTrackingId?: unknown };
  datasets?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The clock the token cache uses; tests replace it. */
export const XEALTH_CLOCK = Symbol('XEALTH_CLOCK');

/**
 * The Xealth API (behavior-integrations.md §3): an OAuth2 client-credentials grant at
 * XEALTH_TOKEN_URL (client id and secret in HTTP Basic), the access token cached until 30 s before it
 * expires, and `GET {XEALTH_API_URL}/partner/read/order/{deployment}/{orderId}` with it. Any failure is
 * 502 with a message naming the call.
 */
@Injectable()
export class XealthApiClient {
  private cached?: { token: string; expiresAt: number };
  private pending?: Promise<string>;

  constructor(
    @Inject(xealthConfig.KEY) private readonly config: ConfigType<typeof xealthConfig>,
    @Inject(XEALTH_CLOCK) private readonly now: () => number,
  ) {}

  async readOrder(deployment: string, orderId: string): Promise<XealthReadOrder> {
    const settings = this.settings();
    const token = await this.accessToken();
    const url = `${settings.apiUrl}/partner/read/order/${encodeURIComponent(deployment)}/${encodeURIComponent(orderId)}`;
    const response = await this.call(() =>
      httpJson({ operation: 'read order', method: 'GET', url, headers: { authorization: `Bearer ${token}` } }),
    );
    if (response.status !== 200) throw XealthErrors.xealthApiFailed(`read order answered ${response.status}`);
    if (typeof response.body !== 'object' || response.body === null || Array.isArray(response.body)) {
      throw XealthErrors.xealthApiFailed('read order answered no order');
    }
    return response.body as XealthReadOrder;
  }

  /** The cached token, or a new one (one grant at a time). */
  private accessToken(): Promise<string> {
    if (this.cached && this.cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return Promise.resolve(this.cached.token);
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async requestToken(): Promise<string> {
    const settings = this.settings();
    const basic = Buffer.from(`${settings.clientId}:${settings.clientSecret}`, 'utf8').toString('base64');
    const response = await this.call(() =>
      httpJson({
        operation: 'token request',
        method: 'POST',
        url: settings.tokenUrl,
        headers: { authorization: `Basic ${basic}` },
        form: { grant_type: 'client_credentials' },
      }),
    );
    const body = response.body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (response.status !== 200 || typeof body?.access_token !== 'string' || body.access_token === '') {
      throw XealthErrors.xealthApiFailed(`token request answered ${response.status}`);
    }
    const lifetimeSeconds = typeof body.expires_in === 'number' ? body.expires_in : 0;
    this.cached = { token: body.access_token, expiresAt: this.now() + lifetimeSeconds * 1000 };
    return body.access_token;
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof HttpTransportError) throw XealthErrors.xealthApiFailed(error.message);
      throw error;
    }
  }

  private settings(): Extract<ConfigType<typeof xealthConfig>, { enabled: true }> {
    if (!this.config.enabled) throw XealthErrors.disabled();
    return this.config;
  }
}
