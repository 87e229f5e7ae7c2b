import type { BatchOutcome } from '../../../src/database/group-commit';
import { SHARE_CODE_ALPHABET, SHARE_CODE_PATTERN } from '../../../src/modules/clinics/clinic.constants';
import {
  insertWithUniqueShareCodes,
  SHARE_CODE_ATTEMPTS,
  ShareCodeGenerator,
} from '../../../src/modules/clinics/clinics/share-code';

const duplicateKey = (): Error =>
  Object.assign(new Error('E11000 duplicate key error collection: clinics'), { code: 11000 });

describe('share codes', () => {
  it('should generate XXXX-XXXX-XXXX codes from the unambiguous alphabet', () => {
    const generator = new ShareCodeGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = generator.generate();
      expect(code).toMatch(SHARE_CODE_PATTERN);
      for (const character of code.replace(/-/g, '')) expect(SHARE_CODE_ALPHABET).toContain(character);
      seen.add(code);
    }
    expect(seen.size).toBe(2000);
    expect(SHARE_CODE_ALPHABET).toHaveLength(32);
    expect(SHARE_CODE_ALPHABET).not.toMatch(/[IO01]/);
  });

  it('should retry only the clinics whose code was taken, each with a new code, and answer all in order', async () => {
    const codes = ['KEEP-AAAA-AAAA', 'RACE-AAAA-AAAA', 'LOST-AAAA-AAAA', 'NEXT-AAAA-AAAA'];
    const rounds: Array<Array<{ index: number; code: string }>> = [];
    const outcomes = await insertWithUniqueShareCodes<string>(3, {
      generate: () => codes.shift()!,
      insert: (entries) => {
        rounds.push(entries);
        return Promise.resolve(
          entries.map(({ code }): BatchOutcome<string> => {
            if (code.startsWith('RACE')) return { error: duplicateKey() };
            if (code.startsWith('LOST')) return { error: new Error('connection lost') };
            return { value: code };
          }),
        );
      },
    });
    expect(rounds).toEqual([
      [
        { index: 0, code: 'KEEP-AAAA-AAAA' },
        { index: 1, code: 'RACE-AAAA-AAAA' },
        { index: 2, code: 'LOST-AAAA-AAAA' },
      ],
      [{ index: 1, code: 'NEXT-AAAA-AAAA' }],
    ]);
    expect(outcomes[0]).toEqual({ value: 'KEEP-AAAA-AAAA' });
    expect(outcomes[1]).toEqual({ value: 'NEXT-AAAA-AAAA' });
    // Other errors are answered as they are, without another attempt.
    expect((outcomes[2] as { error: Error }).error.message).toBe('connection lost');
  });

  it('should give up after a bounded number of attempts, on the clinics still without a code', async () => {
    const insert = jest.fn((entries: Array<{ index: number; code: string }>) =>
      Promise.resolve(
        entries.map(({ index }): BatchOutcome<number> => (index === 0 ? { value: index } : { error: duplicateKey() })),
      ),
    );
    const outcomes = await insertWithUniqueShareCodes(2, { generate: () => 'AAAA-AAAA-AAAA', insert });
    expect(outcomes[0]).toEqual({ value: 0 });
    expect((outcomes[1] as { error: Error }).error.message).toMatch(/no free share code/);
    expect(insert).toHaveBeenCalledTimes(SHARE_CODE_ATTEMPTS);
  });
});
