import { SHARE_CODE_ALPHABET, SHARE_CODE_PATTERN } from '../../../src/modules/clinics/clinic.constants';
import {
  insertWithUniqueShareCode,
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

  it('should retry with a new code when the insert loses a race on the unique index', async () => {
    const codes = ['RACE-AAAA-AAAA', 'NEXT-AAAA-AAAA'];
    const attempts: string[] = [];
    const result = await insertWithUniqueShareCode({
      generate: () => codes.shift()!,
      insert: (code) => {
        attempts.push(code);
        return code.startsWith('RACE') ? Promise.reject(duplicateKey()) : Promise.resolve(code);
      },
    });
    expect(result).toBe('NEXT-AAAA-AAAA');
    expect(attempts).toEqual(['RACE-AAAA-AAAA', 'NEXT-AAAA-AAAA']);
  });

  it('should pass other insert errors through without retrying', async () => {
    const insert = jest.fn(() => Promise.reject(new Error('connection lost')));
    await expect(insertWithUniqueShareCode({ generate: () => 'AAAA-AAAA-AAAA', insert })).rejects.toThrow(
      'connection lost',
    );
    expect(insert).toHaveBeenCalledTimes(1);
  });

  it('should give up after a bounded number of attempts', async () => {
    const insert = jest.fn(() => Promise.reject(duplicateKey()));
    await expect(insertWithUniqueShareCode({ generate: () => 'AAAA-AAAA-AAAA', insert })).rejects.toThrow(
      /no free share code/,
    );
    expect(insert).toHaveBeenCalledTimes(SHARE_CODE_ATTEMPTS);
  });
});
