import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const DISPATCH_CASE_ACCESS = {
  operation: 'DispatchCase',
  allowed: ['dispatcher_in_scope'],
  why: "A dispatcher whose unit covers the case (the district's, any case); the target is checked against the directory.",
} as const satisfies AccessRule<'DispatchCase'>;
