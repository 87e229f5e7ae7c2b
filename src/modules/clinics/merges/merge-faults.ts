import { Injectable } from '@nestjs/common';
import type { MergeStep } from './merge-plan.schema';

/**
 * Called after each completed step of a clinic merge. Does nothing; tests override this provider to
 * interrupt a merge at a chosen step and check that repeating the request finishes it.
 */
@Injectable()
export class MergeFaults {
  afterStep(_step: MergeStep): void {
    // no fault points outside tests
  }
}
