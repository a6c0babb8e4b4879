import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const RECORD_HANDLING_STEP_ACCESS = {
  operation: 'RecordHandlingStep',
  allowed: ['owner'],
  why: 'Owner-only work.',
} as const satisfies AccessRule<'RecordHandlingStep'>;
