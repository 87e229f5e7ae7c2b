import { randomInt } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isDuplicateKeyError } from '../../../database/duplicate-key';
import type { BatchOutcome } from '../../../database/group-commit';
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
  /**
   * Stores the clinics at these positions under these codes: an outcome each, in order; a taken code
   * fails with the driver's duplicate-key error.
   */
  insert(entries: Array<{ index: number; code: string }>): Promise<Array<BatchOutcome<T>>>;
}

/**
 * Inserts `count` clinics, each under a share code nobody uses: the unique indexes refuse a taken
 * code (a concurrent insert included, or two clinics of the batch drawing the same code) and those
 * clinics are inserted again with other codes. No look-up first: with 32^12 codes a collision is
 * rare, and a look-up that finds nothing costs a search of every clinic on the embedded database.
 * One outcome per clinic, in order.
 */
export async function insertWithUniqueShareCodes<T>(
  count: number,
  steps: UniqueShareCodeSteps<T>,
): Promise<Array<BatchOutcome<T>>> {
  const outcomes = new Array<BatchOutcome<T>>(count);
  let pending = Array.from({ length: count }, (_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > SHARE_CODE_ATTEMPTS) {
      const error = new Error(`no free share code after ${SHARE_CODE_ATTEMPTS} attempts`);
      for (const index of pending) outcomes[index] = { error };
      break;
    }
    const entries = pending.map((index) => ({ index, code: steps.generate() }));
    const results = await steps.insert(entries);
    pending = [];
    results.forEach((result, position) => {
      const { index } = entries[position];
      if ('error' in result && isDuplicateKeyError(result.error)) pending.push(index);
      else outcomes[index] = result;
    });
  }
  return outcomes;
}
