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
  /** Stores the new clinic with this code; throws the driver's duplicate-key error when the code is taken. */
  insert(code: string): Promise<T>;
}

/**
 * Inserts a clinic under a share code nobody uses: the unique index on `canonicalShareCode` refuses a
 * taken code (a concurrent insert included) and the insert is retried with another. No look-up
 * first: with 32^12 codes a collision is rare, and a look-up that finds nothing costs a search of
 * every clinic on the embedded database.
 */
export async function insertWithUniqueShareCode<T>(steps: UniqueShareCodeSteps<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await steps.insert(steps.generate());
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    if (attempt >= SHARE_CODE_ATTEMPTS) throw new Error(`no free share code after ${SHARE_CODE_ATTEMPTS} attempts`);
  }
}
