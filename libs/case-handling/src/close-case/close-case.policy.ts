import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const CLOSE_CASE_ACCESS = {
  operation: 'CloseCase',
  allowed: ['owner'],
  why: 'Owner-only work.',
} as const satisfies AccessRule<'CloseCase'>;
