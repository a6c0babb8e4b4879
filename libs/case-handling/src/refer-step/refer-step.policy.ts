import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const REFER_STEP_ACCESS = {
  operation: 'ReferStep',
  allowed: ['owner'],
  why: 'Owner-only work: the owner refers a step and stays accountable.',
} as const satisfies AccessRule<'ReferStep'>;
