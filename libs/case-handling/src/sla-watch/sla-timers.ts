import {
  dueTimesKey,
  type ActorRef,
  type CaseCommandOf,
  type CaseEvent,
  type DueTimesSet,
  type DueTimesCause,
} from '@tongban/cases';
import {
  SLA_TARGETS,
  TIER_POLICIES,
  clockEnded,
  dueActions,
  dueTimesOf,
  findSlaPolicy,
  instantOf,
  nextDueInstant,
  pendingEscalations,
  slaClocks,
  type BusinessCalendar,
  type CaseClocks,
  type EpochMs,
  type SlaPolicy,
} from '@tongban/sla';

/** Who the watcher's commands are issued by. */
export const SLA_WATCHER_ACTOR: ActorRef = Object.freeze({ id: 'sla-watcher', role: 'system' });

/**
 * The policy for a case whose matter names none the catalogue knows (no matter, a matter not in
 * the catalogue, no directory, a policy id this build does not know): the 12345 `general` tier,
 * `standard-7d` (dispatch 24 h, resolve in 7 business days). ADR 0028.
 */
export const DEFAULT_SLA_POLICY: SlaPolicy = TIER_POLICIES.general;

/** The commands the watcher issues: the system's SLA timers, its due times and escalations. */
export type SlaTimerCommand =
  | CaseCommandOf<'SetDueTimes'>
  | CaseCommandOf<'RaiseSlaWarning'>
  | CaseCommandOf<'RecordSlaBreach'>
  | CaseCommandOf<'EscalateCase'>
  | CaseCommandOf<'ExpireFeedbackWindow'>;

/** What the watcher times a case by: its policy, the calendar (and its version), the grace. */
export interface SlaRules {
  readonly policy: SlaPolicy;
  readonly calendar: BusinessCalendar;
  /** The calendar stream's version; null on the built-in calendar. */
  readonly calendarVersion: number | null;
  /** After a breach, how long before it is escalated (SLA_ESCALATION_GRACE_HOURS). */
  readonly escalationGraceMs: number;
  /** Shares of a clock's limit at which a warning is raised (SLA_WARNING_THRESHOLDS); default 0.5 and 0.8. */
  readonly warnAt?: readonly number[];
}

/** The instruction an escalation carries (what the street's supervisors read). */
export const ESCALATION_INSTRUCTION: Readonly<Record<'response' | 'resolution', string>> = {
  response: '响应超时且宽限期已过仍未联系群众，系统升级至街道督办',
  resolution: '办理超时且宽限期已过仍未办结，系统升级至街道督办',
};

/** The catalogue as the watcher asks it: matter code → policy id, when it knows the matter. */
export type MatterPolicies = (matterCode: string) => string | undefined;

/** What the schedule keeps for one case: how many clocks count and when to look at it next. */
export interface ScheduleEntry {
  readonly caseId: string;
  /** The stream version the entry was computed from (older entries never overwrite newer). */
  readonly version: number;
  readonly policyId: string;
  readonly openClocks: number;
  /** Null while clocks count but nothing is to be raised (the dispatch clock alone). */
  readonly nextDueAt: EpochMs | null;
}

/**
 * The case's policy: its matter's in the catalogue, else DEFAULT_SLA_POLICY. `unknownPolicyId`
 * names a policy the catalogue cites that this build does not know (worth a log line).
 */
export function policyOf(
  history: readonly CaseEvent[],
  policies: MatterPolicies,
): { readonly policy: SlaPolicy; readonly unknownPolicyId?: string } {
  const submitted = history[0]?.type === 'case.submitted' ? history[0] : undefined;
  const id = submitted?.matterCode !== undefined ? policies(submitted.matterCode) : undefined;
  if (id === undefined) return { policy: DEFAULT_SLA_POLICY };
  const policy = findSlaPolicy(id);
  return policy ? { policy } : { policy: DEFAULT_SLA_POLICY, unknownPolicyId: id };
}

/**
 * The schedule's row for a case as its history stands; null when no clock counts (nothing will
 * ever be due until another event opens one, and the feed sees that event).
 */
export function scheduleEntry(
  caseId: string,
  history: readonly CaseEvent[],
  rules: SlaRules,
): ScheduleEntry | null {
  const clocks = slaClocks(history, rules.policy, rules.calendar, { warnAt: rules.warnAt });
  const openClocks = SLA_TARGETS.filter((name) => isOpen(clocks, name)).length;
  if (openClocks === 0) return null;
  // Due times not recorded yet are due at once: the instant of the case's last event.
  const unrecorded = dueTimesChanged(history, clocks, rules) ? clocks.asOf : null;
  return {
    caseId,
    version: history.length,
    policyId: rules.policy.id,
    openClocks,
    nextDueAt: earliest([unrecorded, nextDue(clocks, history, rules)]),
  };
}

/**
 * The system's commands due at `now`: each warning and breach `dueActions` lists (once per
 * clock, threshold and round), and the feedback window's expiry once it ran out. Decided by the
 * case decider, which records nothing twice.
 */
export function timerCommands(
  caseId: string,
  history: readonly CaseEvent[],
  rules: SlaRules,
  now: EpochMs,
): SlaTimerCommand[] {
  const clocks = slaClocks(history, rules.policy, rules.calendar, { warnAt: rules.warnAt });
  const base = { caseId, actor: SLA_WATCHER_ACTOR, at: instantOf(now) };
  const commands: SlaTimerCommand[] = [];
  // First the due times, so a warning never announces a due time the case does not show.
  if (dueTimesChanged(history, clocks, rules)) {
    commands.push({
      type: 'SetDueTimes',
      ...base,
      policyId: rules.policy.id,
      calendarVersion: rules.calendarVersion,
      cause: causeOf(history, rules),
      clocks: dueTimesOf(clocks, now, rules.calendar),
    });
  }
  for (const a of dueActions(clocks, history, now)) {
    commands.push(
      a.kind === 'warning'
        ? { type: 'RaiseSlaWarning', ...base, clock: a.clock, dueAt: a.dueAt, threshold: a.threshold }
        : { type: 'RecordSlaBreach', ...base, clock: a.clock, dueAt: a.dueAt },
    );
  }
  for (const e of pendingEscalations(clocks, history, rules.escalationGraceMs)) {
    if (e.at > now) continue;
    commands.push({
      type: 'EscalateCase',
      ...base,
      escalation: { clock: e.clock, dueAt: e.dueAt, toOrgUnit: escalationUnit(clocks, e.clock, history) },
      instruction: ESCALATION_INSTRUCTION[e.clock],
    });
  }
  const expiry = feedbackExpiry(clocks);
  if (expiry !== null && expiry <= now) commands.push({ type: 'ExpireFeedbackWindow', ...base });
  return commands;
}

/** Whether the due times as the rules make them now differ from those the case last recorded. */
function dueTimesChanged(history: readonly CaseEvent[], clocks: CaseClocks, rules: SlaRules): boolean {
  const computed = dueTimesOf(clocks, clocks.asOf ?? 0, rules.calendar);
  if (computed.length === 0) return false;
  const last = lastDueTimes(history);
  return (
    last === undefined || dueTimesKey(last.policyId, last.clocks) !== dueTimesKey(rules.policy.id, computed)
  );
}

function lastDueTimes(history: readonly CaseEvent[]): DueTimesSet | undefined {
  for (let i = history.length - 1; i >= 0; i -= 1) {
    const event = history[i]!;
    if (event.type === 'case.due_times_set') return event;
  }
  return undefined;
}

/**
 * Why the due times are set again: another policy, another calendar than the last ones (an
 * admin's change), or else the case itself (a clock started, paused, resumed, extended...).
 */
function causeOf(history: readonly CaseEvent[], rules: SlaRules): DueTimesCause {
  const last = lastDueTimes(history);
  if (last === undefined) return 'case';
  if (last.policyId !== rules.policy.id) return 'policy';
  if (last.calendarVersion !== rules.calendarVersion) return 'calendar';
  return 'case';
}

/**
 * Where an escalation goes: the street of whoever holds the case now (its owner or the queue it
 * waits in, else the community it is located in); the district when nothing names a street.
 */
function escalationUnit(
  clocks: CaseClocks,
  clock: 'response' | 'resolution',
  history: readonly CaseEvent[],
): string {
  const holder = clocks.clocks[clock].intervals.at(-1)?.holder.orgUnit;
  const submitted = history[0]?.type === 'case.submitted' ? history[0] : undefined;
  const unit = holder ?? submitted?.location.communityCode ?? null;
  const parts = (unit ?? '').split('.');
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : parts[0] || 'pc';
}

/** A stable name for one timer of one case: the correlation id of the events it records. */
export function timerKey(command: SlaTimerCommand): string {
  switch (command.type) {
    case 'RaiseSlaWarning':
      return `sla:${command.caseId}:warning:${command.clock}:${command.dueAt}:${command.threshold ?? '-'}`;
    case 'RecordSlaBreach':
      return `sla:${command.caseId}:breach:${command.clock}:${command.dueAt}`;
    case 'ExpireFeedbackWindow':
      return `sla:${command.caseId}:feedback-window-expired`;
    case 'SetDueTimes':
      return `sla:${command.caseId}:due-times:${command.cause}`;
    case 'EscalateCase':
      return `sla:${command.caseId}:escalation:${command.escalation.clock}:${command.escalation.dueAt}`;
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

function isOpen(clocks: CaseClocks, name: (typeof SLA_TARGETS)[number]): boolean {
  const clock = clocks.clocks[name];
  return clock.status !== 'not_started' && !clockEnded(clock);
}

function nextDue(clocks: CaseClocks, history: readonly CaseEvent[], rules: SlaRules): EpochMs | null {
  return earliest([
    nextDueInstant(clocks, history),
    pendingEscalations(clocks, history, rules.escalationGraceMs)[0]?.at ?? null,
    feedbackExpiry(clocks),
  ]);
}

function earliest(instants: readonly (EpochMs | null)[]): EpochMs | null {
  const known = instants.filter((t): t is EpochMs => t !== null);
  return known.length === 0 ? null : Math.min(...known);
}

/** When the open feedback window runs out; null when none is open. */
function feedbackExpiry(clocks: CaseClocks): EpochMs | null {
  const window = clocks.clocks.feedbackWindow;
  return isOpen(clocks, 'feedbackWindow') ? window.dueAt : null;
}
