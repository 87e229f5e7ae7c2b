import type { ErrorEnvelope } from '../../src/common/errors/api-error';
import type { TestResponse } from './test-app';

export const FORBIDDEN_MESSAGE = 'security requirements failed: the subject is not authorized for the requested action';

/** Asserts the error envelope in one line: status, `code` equal to it, and the message (exact or pattern). */
export function expectError(response: TestResponse, status: number, message?: string | RegExp): ErrorEnvelope {
  const body = response.body as ErrorEnvelope;
  expect({ status: response.status, code: body?.code }).toEqual({ status, code: status });
  expect(typeof body.message).toBe('string');
  if (typeof message === 'string') expect(body.message).toBe(message);
  else if (message) expect(body.message).toMatch(message);
  const allowedKeys = new Set(['code', 'message', 'details']);
  expect(Object.keys(body).filter((key) => !allowedKeys.has(key))).toEqual([]);
  return body;
}

/** Asserts a 400 validation envelope naming the given fields. */
export function expectValidationError(response: TestResponse, ...fields: string[]): ErrorEnvelope {
  const body = expectError(response, 400);
  const reported = (body.details ?? []).map((detail) => detail.field);
  for (const field of fields) expect(reported).toContain(field);
  return body;
}
