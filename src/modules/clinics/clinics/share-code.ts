import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError } from '../../../database/duplicate-key';
import { SHARE_CODE_ALPHABET } from '../clinic.constants';

const GROUPS = 3;
const GROUP_LENGTH = 4;
/** With 32^12 codes a second attempt is already rare; the bound only stops a runaway loop. */
export const SHARE_CODE_ATTEMPTS = 100;

/** Makes share codes such as `K7TQ-2MZP-XR4D` from a cryptographic random source (§1.4). */
@Injectable()
export class ShareCodeGenerator {
  generate(): string {
    const groups: string[] = [];
    for (let group = 0; group < GROUPS; group++) {
      let text = '';
      for (let i = 0; i < GROUP_LENGTH; i++) text += SHARE_CODE_ALPHABET[randomInt(SHARE_CODE_ALPHABET.length)];
      groups.push(text);
    }
    return groups.join('-');
  }
}

export interface UniqueShareCodeSteps<T> {
  generate(): string;
  /** True when a clinic already answers to the code (canonical or merged). */
  isTaken(code: string): Promise<boolean>;
  /** Stores the new clinic with this code; throws the driver's duplicate-key error when a concurrent insert took it. */
  insert(code: string): Promise<T>;
}

/**
 * Inserts a clinic under a share code nobody uses. The pre-check covers codes that live only in
 * `shareCodes` (merged clinics); the unique index on `canonicalShareCode` catches two concurrent
 * inserts with the same new code, and the loser simply tries again with another code.
 */
export async function insertWithUniqueShareCode<T>(steps: UniqueShareCodeSteps<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const code = steps.generate();
    if (!(await steps.isTaken(code))) {
      try {
        return await steps.insert(code);
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    if (attempt >= SHARE_CODE_ATTEMPTS) throw new Error(`no free share code after ${SHARE_CODE_ATTEMPTS} attempts`);
  }
}
