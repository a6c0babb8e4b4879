import type { CaseEvent } from '@tongban/cases';
import { ev } from '@tongban/cases/testing';
import { BusinessCalendar, SLA_POLICIES, STATE_COUNCIL_YEARS } from '@tongban/sla';
import { timerCommands, type SlaRules } from './sla-timers';

const iso = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;
const at = (local: string): number => Date.parse(iso(local));
const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });

/** An emergency case (2 calendar hours to resolve from 22:20), the resident contacted. */
const history: readonly CaseEvent[] = [
  ev.submitted({ at: iso('2025-10-04 22:00') }),
  ev.dispatched({ at: iso('2025-10-04 22:20') }),
  ev.accepted({ at: iso('2025-10-04 22:25') }),
  ev.residentContacted({ at: iso('2025-10-04 22:40') }),
];

const rules = (warnAt?: readonly number[]): SlaRules => ({
  policy: SLA_POLICIES['emergency-2h']!,
  calendar,
  calendarVersion: 1,
  escalationGraceMs: 3_600_000,
  ...(warnAt ? { warnAt } : {}),
});

const warnings = (r: SlaRules, now: string) =>
  timerCommands(history[0]!.caseId, history, r, at(now)).flatMap((c) =>
    c.type === 'RaiseSlaWarning' ? [`${c.clock}:${c.threshold}`] : [],
  );

describe('timerCommands: the warning thresholds (SLA_WARNING_THRESHOLDS)', () => {
  it('warns at 50 % and 80 % by default', () => {
    expect(warnings(rules(), '2025-10-04 23:56')).toEqual(['resolution:0.5', 'resolution:0.8']);
  });

  it('warns at the shares it is given instead', () => {
    // 90 % of 2 hours from 22:20: 00:08.
    expect(warnings(rules([0.9]), '2025-10-04 23:56')).toEqual([]);
    expect(warnings(rules([0.9]), '2025-10-05 00:08')).toEqual(['resolution:0.9']);
  });
});
