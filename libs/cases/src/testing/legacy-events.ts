import type { CaseSubmitted } from '../case.events';
import { ev } from './case.fixtures';

/**
 * Stored data (`type` apart) of `case.submitted` v1 events recorded before intake required every
 * field (issue 9): the API spread a missing resident into `{}`, and nothing checked the rest.
 * Real stores hold such events; the decoding path must read them (see case.upcasting.ts).
 */
export function submittedWithoutResident(
  o: Partial<Omit<CaseSubmitted, 'type'>> = {},
): Record<string, unknown> {
  const { type: _type, ...data } = ev.submitted(o);
  return { ...(JSON.parse(JSON.stringify(data)) as Record<string, unknown>), resident: {} };
}

/** The same event with every repairable field gone or of the wrong type. */
export function submittedWithEverythingMissing(
  o: Partial<Omit<CaseSubmitted, 'type'>> = {},
): Record<string, unknown> {
  const { caseId, at, by, channel } = ev.submitted(o);
  return {
    caseId,
    at,
    by: { ...by },
    channel,
    resident: [],
    location: 'somewhere',
    matterCode: 17,
    title: null,
    attachments: [{ name: 'no-ref.jpg' }, { ref: 'att-1' }],
  };
}
