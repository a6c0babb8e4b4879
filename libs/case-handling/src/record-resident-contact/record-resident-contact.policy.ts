import type { AccessRule } from '../access/case-relation';

/** This use case's row of the access policy (`CASE_ACCESS_POLICY`). */
export const RECORD_RESIDENT_CONTACT_ACCESS = {
  operation: 'RecordResidentContact',
  allowed: ['owner'],
  why: 'Owner-only work: the one accountable cadre calls the resident.',
} as const satisfies AccessRule<'RecordResidentContact'>;
