import { ApiError, ErrorDetail } from '../../../common/errors/api-error';
import { TIDEPOOL_USER_ID_PATTERN } from '../../../common/validation/patterns';

const MAX_USER_IDS = 1000;

/**
 * A `tidepoolUserIds.v1` body: undefined for no body or `null` (all patients); otherwise 1 to 1000
 * distinct Tidepool user ids, else 400 with the details.
 */
export function parseTidepoolUserIds(body: unknown): string[] | undefined {
  if (body === undefined || body === null) return undefined;
  const invalid = (message: string, field = 'body'): ApiError => ApiError.validation([{ field, message }]);
  if (!Array.isArray(body)) throw invalid('body must be an array of user ids or null');
  if (body.length === 0) throw invalid('body must hold at least 1 user id');
  if (body.length > MAX_USER_IDS) throw invalid(`body must hold at most ${MAX_USER_IDS} user ids`);
  const details: ErrorDetail[] = [];
  body.forEach((item, index) => {
    if (typeof item !== 'string' || !TIDEPOOL_USER_ID_PATTERN.test(item)) {
      details.push({ field: `body[${index}]`, message: 'must be a Tidepool user id (10 hex characters or a UUID)' });
    }
  });
  if (details.length > 0) throw ApiError.validation(details);
  if (new Set(body).size !== body.length) throw invalid('body must not repeat a user id');
  return body as string[];
}
