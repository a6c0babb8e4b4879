import type { ActorRef, CaseCommandOf, CaseEvent } from '@tongban/cases';
import {
  SLA_TARGETS,
  TIER_POLICIES,
  clockEnded,
  dueActions,
  findSlaPolicy,
  instantOf,
  nextDueInstant,
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

/** The commands the watcher issues: the system's SLA timers. */
export type SlaTimerCommand =
  CaseCommandOf<'RaiseSlaWarning'> | CaseCommandOf<'RecordSlaBreach'> | CaseCommandOf<'ExpireFeedbackWindow'>;

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
  policy: SlaPolicy,
  calendar: BusinessCalendar,
): ScheduleEntry | null {
  const clocks = slaClocks(history, policy, calendar);
  const openClocks = SLA_TARGETS.filter((name) => isOpen(clocks, name)).length;
  if (openClocks === 0) return null;
  return {
    caseId,
    version: history.length,
    policyId: policy.id,
    openClocks,
    nextDueAt: nextDue(clocks, history),
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
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  now: EpochMs,
): SlaTimerCommand[] {
  const clocks = slaClocks(history, policy, calendar);
  const base = { caseId, actor: SLA_WATCHER_ACTOR, at: instantOf(now) };
  const commands: SlaTimerCommand[] = dueActions(clocks, history, now).map((a) =>
    a.kind === 'warning'
      ? { type: 'RaiseSlaWarning', ...base, clock: a.clock, dueAt: a.dueAt, threshold: a.threshold }
      : { type: 'RecordSlaBreach', ...base, clock: a.clock, dueAt: a.dueAt },
  );
  const expiry = feedbackExpiry(clocks);
  if (expiry !== null && expiry <= now) commands.push({ type: 'ExpireFeedbackWindow', ...base });
  return commands;
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

function nextDue(clocks: CaseClocks, history: readonly CaseEvent[]): EpochMs | null {
  const instants = [nextDueInstant(clocks, history), feedbackExpiry(clocks)].filter(
    (t): t is EpochMs => t !== null,
  );
  return instants.length === 0 ? null : Math.min(...instants);
}

/** When the open feedback window runs out; null when none is open. */
function feedbackExpiry(clocks: CaseClocks): EpochMs | null {
  const window = clocks.clocks.feedbackWindow;
  return isOpen(clocks, 'feedbackWindow') ? window.dueAt : null;
}
