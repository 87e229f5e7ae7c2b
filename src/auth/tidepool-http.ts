import { assertOutsideWriteGate } from '../database/write-gate';

/**
 * The small HTTP/JSON client shared by the adapters that talk to the Tidepool platform
 * (server login, token checks, user directory). Every call has a timeout; error messages name
 * the operation, never the URL (URLs can carry session tokens or e-mail addresses).
 */

/** Optional tuning of the Tidepool adapters; provide it under {@link TIDEPOOL_CLIENT_OPTIONS}. */
export interface TidepoolClientOptions {
  /** Per-call timeout. Default 5 s. */
  timeoutMs?: number;
  /** Age after which the server session token is renewed. Default 50 minutes (platform tokens last 1 h). */
  serverTokenRefreshMs?: number;
  /** Lifetime of a cached server-token validation. Default 5 minutes. */
  tokenCacheTtlMs?: number;
  /** Maximum number of cached server-token validations. Default 10,000. */
  tokenCacheMax?: number;
  /** Clock (milliseconds) for the server-token age; tests replace it. */
  now?: () => number;
}

export const TIDEPOOL_CLIENT_OPTIONS = Symbol('TIDEPOOL_CLIENT_OPTIONS');

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_SERVER_TOKEN_REFRESH_MS = 50 * 60_000;
export const DEFAULT_TOKEN_CACHE_TTL_MS = 5 * 60_000;
export const DEFAULT_TOKEN_CACHE_MAX = 10_000;

export const SESSION_TOKEN_HEADER = 'x-tidepool-session-token';

export interface HttpJsonRequest {
  /** Names the call in error messages, e.g. `GET /user`. */
  operation: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  timeoutMs?: number;
}

export interface HttpJsonResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body; `undefined` when the body is empty or not JSON. */
  body: unknown;
}

/** The request never got an HTTP answer: connection refused or reset, timeout, DNS failure. */
export class HttpTransportError extends Error {
  override readonly name = 'HttpTransportError';
}

/** Sends one request and reads the whole answer. Throws {@link HttpTransportError} only when no answer came. */
export async function httpJson(request: HttpJsonRequest): Promise<HttpJsonResponse> {
  assertOutsideWriteGate(`the platform call ${request.operation}`);
  const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
  let body: string | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(request.form).toString();
  }
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseJson(text) };
  } catch (error) {
    throw new HttpTransportError(`${request.operation} failed: ${describeCause(error)}`);
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describeCause(error: unknown): string {
  // Duck-typed: fetch's errors (DOMException, TypeError) may come from another realm.
  if (typeof error !== 'object' || error === null) return String(error);
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const text = typeof message === 'string' ? message : 'unknown error';
  return typeof code === 'string' ? `${text} (${code})` : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a JSON field the way Go's decoder matches struct fields: the exact key first, otherwise
 * the first key equal to it ignoring case (`userid`, `UserID`, `userId` …).
 */
export function field(record: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(record, name)) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

export function stringField(record: Record<string, unknown>, name: string): string | undefined {
  const value = field(record, name);
  return typeof value === 'string' ? value : undefined;
}

export function stringArrayField(record: Record<string, unknown>, name: string): string[] {
  const value = field(record, name);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
