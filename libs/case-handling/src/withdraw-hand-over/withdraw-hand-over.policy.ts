import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const WITHDRAW_HAND_OVER_ACCESS = {
  operation: 'WithdrawHandOver',
  allowed: ['owner'],
  why: 'Owner-only work: the owner takes back the hand-over they offered (the cadre offered it refuses with a return).',
} as const satisfies AccessRule<'WithdrawHandOver'>;
