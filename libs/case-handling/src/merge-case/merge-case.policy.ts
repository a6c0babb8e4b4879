import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const MERGE_CASE_ACCESS = {
  operation: 'MergeCase',
  allowed: ['supervisor_in_scope'],
  why: "Supervision stays within the supervisor's street (or the district); the case it joins must be open and in scope too.",
} as const satisfies AccessRule<'MergeCase'>;
