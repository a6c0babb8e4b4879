import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const SUPPLEMENT_RESIDENT_INFO_ACCESS = {
  operation: 'SupplementResidentInfo',
  allowed: ['submitting_resident'],
  why: 'Only the resident who filed it adds to it.',
} as const satisfies AccessRule<'SupplementResidentInfo'>;
