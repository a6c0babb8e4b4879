import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const HAND_OVER_CASE_ACCESS = {
  operation: 'HandOverCase',
  allowed: ['owner'],
  why: 'Owner-only work: only the owner offers the case to another cadre.',
} as const satisfies AccessRule<'HandOverCase'>;
