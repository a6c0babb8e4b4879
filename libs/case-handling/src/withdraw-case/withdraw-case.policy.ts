import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const WITHDRAW_CASE_ACCESS = {
  operation: 'WithdrawCase',
  allowed: ['submitting_resident', 'filing_channel'],
  why: 'The resident who filed it, or the channel that filed it for them.',
} as const satisfies AccessRule<'WithdrawCase'>;
