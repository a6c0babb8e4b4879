import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { caseStreamId, type CaseEvent } from '@tongban/cases';
import { type EventStore, type RecordedEvent, type StoreSubscription } from '@tongban/event-store';
import type { BusinessCalendar } from '@tongban/sla';
import type { CaseCommandResult } from '../case-command/case-command';
import { fromStoredEvent } from '../case-event-mapping';
import type { Clock } from '../clock';
import { SlaSchedule, type Queryable } from './sla-schedule';
import {
  policyOf,
  scheduleEntry,
  timerCommands,
  timerKey,
  type MatterPolicies,
  type SlaRules,
  type SlaTimerCommand,
} from './sla-timers';

/** How the watcher's commands reach the case decider: the command bus in the application. */
export type SlaCommandSender = (
  command: SlaTimerCommand,
  correlationId: string,
) => Promise<CaseCommandResult>;

export interface SlaWatcherSettings {
  /** How often the scanner looks for due cases (SLA_WATCH_INTERVAL_MS). */
  readonly intervalMs: number;
  /** How long a claimed case is this watcher's before another may take it (SLA_WATCH_LEASE_MS). */
  readonly leaseMs: number;
  /** Most cases one scan claims. */
  readonly batchSize: number;
  /** This watcher's name in `leased_by`; unique per process. */
  readonly watcherId?: string;
  /** The feed is stuck when behind and not moving for this long (readiness red). */
  readonly stuckAfterMs?: number;
  /** After a breach, how long before it is escalated (SLA_ESCALATION_GRACE_HOURS); default 24 h. */
  readonly escalationGraceMs?: number;
}

export interface SlaWatcherDependencies {
  readonly store: EventStore;
  readonly db: Queryable;
  readonly clock: Clock;
  readonly policies: MatterPolicies;
  readonly calendar: () => BusinessCalendar;
  /** The calendar stream's version (null: the built-in calendar); a change re-times open cases. */
  readonly calendarVersion?: () => number | null;
  /** The catalogue's version (null: none); a change re-times open cases (their policy may move). */
  readonly catalogueVersion?: () => number | null;
  readonly send: SlaCommandSender;
}

const DEFAULT_ESCALATION_GRACE_MS = 24 * 3_600_000;

const CASE_STREAMS = { streamPrefix: 'case-' } as const;
const MAX_BACKOFF_MS = 30_000;

/**
 * The SLA watcher (ADR 0028): a feed that follows the event store from its checkpoint and keeps
 * one schedule row per case with an open clock, and a scanner that claims due rows under a lease
 * and issues the system's timers through the case decider. Everything it decides on is in the
 * tables: a watcher started on them after another died carries on where that one stopped.
 */
export class SlaWatcher {
  readonly watcherId: string;
  private readonly logger = new Logger('SlaWatcher');
  private readonly schedule: SlaSchedule;
  private subscription: StoreSubscription | undefined;
  private running = false;
  private feedError: Error | null = null;
  private failures = 0;
  private lastProgressAt = 0;
  private scanTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  private unknownPolicies = new Set<string>();
  /** The calendar and catalogue versions this watcher last re-timed the schedule for. */
  private rulesApplied: string | undefined;
  /** Scans completed: tests wait on it instead of sleeping. */
  scans = 0;

  constructor(
    private readonly deps: SlaWatcherDependencies,
    private readonly settings: SlaWatcherSettings,
  ) {
    this.watcherId = settings.watcherId ?? `sla-watcher-${randomUUID()}`;
    this.schedule = new SlaSchedule(deps.db);
  }

  get tables(): SlaSchedule {
    return this.schedule;
  }

  /** Starts the feed and the scanner. */
  start(options: { feed?: boolean; scanner?: boolean } = {}): void {
    this.running = true;
    this.lastProgressAt = Date.now();
    if (options.feed !== false) void this.startFeed();
    if (options.scanner !== false) this.armScan(0);
  }

  /** Stops both; the scan in flight ends first (its lease is given back or runs out). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.scanTimer);
    clearTimeout(this.restartTimer);
    await this.subscription?.stop();
    await this.scanning;
  }

  /**
   * Readiness: red while the feed failed (until it recovers) or is stuck — behind the log and
   * not moving for `stuckAfterMs`.
   */
  async check(): Promise<void> {
    // A feed restarted after a failure that read to the end of the log has recovered.
    if (this.feedError && this.subscription?.caughtUp) this.feedError = null;
    if (this.feedError) throw new Error(`SLA feed failing: ${this.feedError.message}`);
    if (!this.running) return;
    const stuckAfter = this.settings.stuckAfterMs ?? 60_000;
    if (Date.now() - this.lastProgressAt < stuckAfter) return;
    const behind = await this.lag();
    if (behind > 0) throw new Error(`SLA feed stuck: ${behind} case events behind for over ${stuckAfter} ms`);
  }

  /** Case events in the log after the checkpoint. */
  async lag(): Promise<number> {
    return this.deps.store.countAll({ after: await this.schedule.checkpoint(), filter: CASE_STREAMS });
  }

  // ---- the feed ---------------------------------------------------------------------------------

  private async startFeed(): Promise<void> {
    if (!this.running) return;
    try {
      const after = await this.schedule.checkpoint();
      const subscription = this.deps.store.subscribe({ after, filter: CASE_STREAMS, batchSize: 200 }, (e) =>
        this.follow(e),
      );
      this.subscription = subscription;
      await subscription.done;
    } catch (error) {
      this.feedFailed(error);
    }
  }

  private feedFailed(error: unknown): void {
    if (!this.running) return;
    this.subscription = undefined;
    this.feedError = error instanceof Error ? error : new Error(String(error));
    this.failures += 1;
    const wait = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures - 1, 6));
    this.logger.error(
      `SLA feed stopped, restarting from its checkpoint in ${wait} ms: ${this.feedError.message}`,
    );
    this.restartTimer = setTimeout(() => void this.startFeed(), wait);
    this.restartTimer.unref();
  }

  /** One case event: the case's entry as its stream now stands, with the checkpoint. */
  private async follow(event: RecordedEvent): Promise<void> {
    // A later event of the same stream follows in the log and recomputes the entry.
    const state = await this.deps.store.streamState(event.streamId);
    if (state.version > event.version) {
      await this.schedule.advance(event.position);
    } else {
      const { caseId, history } = await this.readCase(event.streamId, this.caseIdOf(event));
      await this.schedule.record(caseId, history.length, this.entryOf(caseId, history), event.position);
    }
    this.progressed();
  }

  private progressed(): void {
    this.lastProgressAt = Date.now();
    this.feedError = null;
    this.failures = 0;
  }

  // ---- the scanner ------------------------------------------------------------------------------

  private armScan(delayMs: number): void {
    if (!this.running) return;
    this.scanTimer = setTimeout(() => {
      this.scanning = this.scanOnce()
        .then((claimed) => this.armScan(claimed >= this.settings.batchSize ? 0 : this.settings.intervalMs))
        .catch((error: unknown) => {
          this.logger.error(`SLA scan failed: ${error instanceof Error ? error.message : String(error)}`);
          this.armScan(this.settings.intervalMs);
        });
    }, delayMs);
    this.scanTimer.unref();
  }

  /** Claims what is due now, issues its timers and gives each case back; answers how many it claimed. */
  async scanOnce(): Promise<number> {
    const now = this.deps.clock.now().getTime();
    await this.retimeAfterRuleChange(now);
    const claimed = await this.schedule.claim(
      now,
      this.settings.leaseMs,
      this.watcherId,
      this.settings.batchSize,
    );
    for (const { caseId } of claimed) {
      try {
        await this.fire(caseId, now);
      } catch (error) {
        // The lease stays: another scan (this watcher's or another's) tries again once it runs out.
        this.logger.error(
          `SLA timers of case ${caseId} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.scans += 1;
    return claimed.length;
  }

  /**
   * A calendar or catalogue change (another version than the one the schedule was last re-timed
   * for) makes every scheduled case due now: each is timed again on the new rules and records the
   * due times that moved (`case.due_times_set`, cause calendar or policy). Kept in the table, so a
   * watcher started after the change does it too, and two watchers doing it at once do no harm.
   */
  private async retimeAfterRuleChange(now: number): Promise<void> {
    const calendar = this.deps.calendarVersion?.() ?? null;
    const catalogue = this.deps.catalogueVersion?.() ?? null;
    const rules = `calendar ${calendar ?? '-'}, catalogue ${catalogue ?? '-'}`;
    if (rules === this.rulesApplied) return;
    const moved = await this.schedule.retime({ calendar, catalogue }, now);
    if (moved > 0) this.logger.log(`SLA rules now at ${rules}: ${moved} open cases to be timed again`);
    this.rulesApplied = rules;
  }

  private async fire(caseId: string, now: number): Promise<void> {
    const streamId = caseStreamId(caseId);
    const before = await this.readCase(streamId, caseId);
    const commands = timerCommands(caseId, before.history, this.rulesOf(before.history), now);
    for (const command of commands) {
      await this.deps.send(command, timerKey(command));
    }
    const after = commands.length === 0 ? before : await this.readCase(streamId, caseId);
    await this.schedule.release(
      caseId,
      after.history.length,
      this.entryOf(caseId, after.history),
      this.watcherId,
    );
  }

  // ---- shared -----------------------------------------------------------------------------------

  private async readCase(
    streamId: string,
    fallbackId: string,
  ): Promise<{ caseId: string; history: CaseEvent[] }> {
    const history = (await this.deps.store.readStream(streamId)).map(fromStoredEvent);
    return { caseId: history[0]?.caseId ?? fallbackId, history };
  }

  private entryOf(caseId: string, history: readonly CaseEvent[]) {
    return history.length === 0 ? null : scheduleEntry(caseId, history, this.rulesOf(history));
  }

  private rulesOf(history: readonly CaseEvent[]): SlaRules {
    return {
      policy: this.policyOf(history).policy,
      calendar: this.deps.calendar(),
      calendarVersion: this.deps.calendarVersion?.() ?? null,
      escalationGraceMs: this.settings.escalationGraceMs ?? DEFAULT_ESCALATION_GRACE_MS,
    };
  }

  private policyOf(history: readonly CaseEvent[]) {
    const found = policyOf(history, this.deps.policies);
    if (found.unknownPolicyId && !this.unknownPolicies.has(found.unknownPolicyId)) {
      this.unknownPolicies.add(found.unknownPolicyId);
      this.logger.warn(
        `The catalogue cites SLA policy ${found.unknownPolicyId}, which this build does not know: ` +
          `its cases are timed by ${found.policy.id}.`,
      );
    }
    return found;
  }

  private caseIdOf(event: RecordedEvent): string {
    const id = event.data['caseId'];
    return typeof id === 'string' ? id : event.streamId.slice('case-'.length);
  }
}
