import { redactLogValue, REDACTION_CENSOR } from '../../../src/common/logging/logger';

describe('redactLogValue', () => {
  it('should censor personal fields and credentials in objects and arrays at any depth', () => {
    const line = {
      msg: 'changed',
      patient: { fullName: 'Ada Lovelace', tags: ['a'] },
      clinic: { patients: [{ email: 'ada@example.com', id: 'p1' }] },
      headers: { Authorization: 'Bearer secret', 'x-request-id': 'r1' },
    };
    expect(redactLogValue(line)).toEqual({
      msg: 'changed',
      patient: { fullName: REDACTION_CENSOR, tags: ['a'] },
      clinic: { patients: [{ email: REDACTION_CENSOR, id: 'p1' }] },
      headers: { Authorization: REDACTION_CENSOR, 'x-request-id': 'r1' },
    });
    expect(line.patient.fullName).toBe('Ada Lovelace');
  });

  it('should return the same object when there is nothing to censor', () => {
    const line = { reqId: 'r1', route: '/v1/clinics/:clinicId', nested: { list: [{ status: 200 }] } };
    expect(redactLogValue(line)).toBe(line);
  });

  it('should serialize errors with their fields censored and leave dates as they are', () => {
    const error = Object.assign(new Error('boom'), { email: 'on-the-error@example.com', code: 'E1' });
    const when = new Date(0);
    const result = redactLogValue({ err: error, when }) as { err: Record<string, unknown>; when: Date };
    expect(result.err).toMatchObject({ type: 'Error', message: 'boom', email: REDACTION_CENSOR, code: 'E1' });
    expect(typeof result.err.stack).toBe('string');
    expect(result.when).toBe(when);
  });

  it('should censor what an object with toJSON writes (a database document, say)', () => {
    const document = { toJSON: () => ({ fullName: 'Ada Lovelace', userId: 'u1' }) };
    expect(redactLogValue({ patient: document })).toEqual({ patient: { fullName: REDACTION_CENSOR, userId: 'u1' } });
  });
});
