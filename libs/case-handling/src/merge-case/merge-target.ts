import { TongbanError } from '@tongban/errors';
import type { CaseState } from '@tongban/cases';
import { canSee, type Caller } from '../access/case-access.policy';

/** The case to merge into does not exist — or the caller cannot see it, which answers the same. */
export class MergeTargetNotFoundError extends TongbanError {
  readonly code = 'case.merge_target_not_found';
  readonly kind = 'not_found';
}

/** The case to merge into is closed, withdrawn or merged itself: duplicates join open cases only. */
export class MergeTargetNotOpenError extends TongbanError {
  readonly code = 'case.merge_target_not_open';
  readonly kind = 'conflict';
}

/** Statuses a duplicate may be merged into. A merged case is terminal, so no chain can loop. */
const OPEN_TARGET: ReadonlySet<CaseState['status']> = new Set([
  'submitted',
  'dispatched',
  'in_handling',
  'returned',
  'resolved',
]);

/**
 * The decider sees one case; the case a duplicate joins is checked here, by the same policy: it
 * must exist within the caller's scope (else 404, as for any case the caller cannot see) and be
 * open.
 */
export function checkMergeTarget(caller: Caller, intoCaseId: string, target: CaseState): void {
  if (!canSee(caller, target)) throw new MergeTargetNotFoundError(`No case ${intoCaseId} to merge into.`);
  if (!OPEN_TARGET.has(target.status)) {
    throw new MergeTargetNotOpenError(
      `Case ${intoCaseId} is ${target.status}: a duplicate can only be merged into an open case.`,
    );
  }
}
