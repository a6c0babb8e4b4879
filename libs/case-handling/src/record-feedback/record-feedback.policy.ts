import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const RECORD_FEEDBACK_ACCESS = {
  operation: 'RecordFeedback',
  allowed: ['submitting_resident', 'filing_channel'],
  why: 'The resident, or the channel that filed for them: never the cadre who resolved it, whose rates it counts in.',
} as const satisfies AccessRule<'RecordFeedback'>;
