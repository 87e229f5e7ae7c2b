/** Resource ids (MongoDB ObjectIds as 24 lowercase hex characters). */
export const OBJECT_ID_PATTERN = /^[a-f0-9]{24}$/;
/** Tidepool user ids: 10 lowercase hex characters (legacy) or a lowercase UUID. */
export const TIDEPOOL_USER_ID_PATTERN = /^([0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** RFC 3339 date-time with a time zone (Z or ±hh:mm). */
export const RFC3339_DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
/**
 * Confirmation (invite) keys: 32 characters of base64 — the established keys use `+` and `/`, the
 * keys this service makes are URL-safe (`-`, `_`).
 */
export const CONFIRMATION_KEY_PATTERN = /^[A-Za-z0-9+/_-]{32}$/;
