import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const SUSPEND_CASE_ACCESS = {
  operation: 'SuspendCase',
  allowed: ['owner'],
  why: 'Owner-only work.',
} as const satisfies AccessRule<'SuspendCase'>;
