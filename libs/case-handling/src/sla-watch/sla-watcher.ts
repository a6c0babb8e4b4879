import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { caseStreamId, type CaseEvent } from '@tongban/cases';
import {
  START,
  type EventStore,
  type GlobalPosition,
  type RecordedEvent,
  type StoreSubscription,
} from '@tongban/event-store';
import type { BusinessCalendar } from '@tongban/sla';
import type { CaseCommandResult } from '../case-command/case-command';
import { fromStoredEvent } from '../case-event-mapping';
import type { Clock } from '../clock';
import { SlaSchedule, type ClaimedCase, type FedCase, type Queryable } from './sla-schedule';
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
  /** How many claimed cases are worked on at once (each a stream read and an append); default 8. */
  readonly concurrency?: number;
  /** This watcher's name in `leased_by`; unique per process. */
  readonly watcherId?: string;
  /** The feed is stuck when behind and not moving for this long (readiness red). */
  readonly stuckAfterMs?: number;
  /** After a breach, how long before it is escalated (SLA_ESCALATION_GRACE_HOURS); default 24 h. */
  readonly escalationGraceMs?: number;
  /** Shares of a clock's limit at which warnings are raised (SLA_WARNING_THRESHOLDS); default 0.5 and 0.8. */
  readonly warnAt?: readonly number[];
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
const DEFAULT_CONCURRENCY = 8;
/** The shortest sleep between scans (unless a full batch calls for the next at once). */
const SCAN_FLOOR_MS = 10;
/** How many streams the feed reads at once for one run of events. */
const FEED_READS = 4;
/** Most claims one scan makes while they come back full (its leases are given back at its end). */
const MAX_CLAIMS_PER_SCAN = 5;

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
  /** When (wall ms) the armed scan timer fires; +Infinity while none is armed. */
  private scanTimerAt = Number.POSITIVE_INFINITY;
  private scannerOn = false;
  private scanInFlight = false;
  /** The earliest due instant the feed recorded while a scan was in flight (clock ms). */
  private wokenFor: number | null = null;
  private restartTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> = Promise.resolve();
  /** Events the feed was handed and has not written yet, in log order. */
  private fed: RecordedEvent[] = [];
  /** The feed's write in flight (null once it succeeded; a failed one stays, for the next event). */
  private writing: Promise<void> | null = null;
  /** The feed's opening (its checkpoint read and subscription), settled or not; never rejects. */
  private feedOpening: Promise<void> = Promise.resolve();
  /** The feed's last write, settled or not. */
  private feedWrite: Promise<void> = Promise.resolve();
  /** Which subscription the feed's events come from; a restart starts another. */
  private feedGeneration = 0;
  /** Cases the scan in flight holds: their rows come from its release. */
  private readonly held = new Set<string>();
  /** Cases the feed left to the scan holding them: the version of the last event it saw. */
  private readonly deferred = new Map<string, number>();
  private unknownPolicies = new Set<string>();
  /** The calendar and catalogue versions this watcher last re-timed the schedule for. */
  private rulesApplied: string | undefined;
  /** Whether the feed follows the store (else a broker's consumer calls `takeIn`). */
  private storeFeed = true;
  /** The earliest due instant broker-fed entries recorded, until their transaction commits. */
  private pendingWake: number | null = null;
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
    this.storeFeed = options.feed !== false;
    if (this.storeFeed) this.startFeed();
    this.scannerOn = options.scanner !== false;
    if (this.scannerOn) this.armScan(0);
  }

  /** Stops both; the scan in flight ends first (its lease is given back or runs out). */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.scanTimer);
    clearTimeout(this.restartTimer);
    await this.feedOpening;
    await this.subscription?.stop();
    await this.feedWrite.catch(() => undefined);
    await this.scanning;
  }

  /**
   * Readiness: red while the feed failed (until it recovers) or is stuck — behind the log and
   * not moving for `stuckAfterMs`.
   */
  async check(): Promise<void> {
    // A feed restarted after a failure that read (and wrote) to the end of the log has recovered.
    if (this.feedError && this.subscription?.caughtUp && this.fed.length === 0 && this.writing === null)
      this.feedError = null;
    if (this.feedError) throw new Error(`SLA feed failing: ${this.feedError.message}`);
    // Fed by a broker, the consumer's own check says whether the feed moves (ADR 0030).
    if (!this.running || !this.storeFeed) return;
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

  /** Opens the feed; `stop()` waits for it, so no subscription is opened after the watcher stopped. */
  private startFeed(): void {
    this.feedOpening = this.openFeed();
  }

  /** Resolves once the feed's subscription is open (or the feed failed, or the watcher stopped). */
  private async openFeed(): Promise<void> {
    if (!this.running) return;
    try {
      // A write of the previous feed still in flight lands first; its checkpoint is where to go on.
      await this.feedWrite.catch(() => undefined);
      const generation = ++this.feedGeneration;
      this.fed = [];
      this.writing = null;
      const after = await this.schedule.checkpoint();
      // Stopped while reading it: a subscription opened now would outlive stop().
      if (!this.running) return;
      const subscription = this.deps.store.subscribe({ after, filter: CASE_STREAMS, batchSize: 200 }, (e) =>
        this.follow(e, generation),
      );
      this.subscription = subscription;
      subscription.done.catch((error: unknown) => this.feedFailed(error));
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
    this.restartTimer = setTimeout(() => this.startFeed(), wait);
    this.restartTimer.unref();
  }

  /**
   * One case event, taken in at once: the events the subscription hands over together (its page)
   * are written together once it has handed them all (`setImmediate` runs after the page's
   * hand-overs, which settle without I/O) — one statement for their cases and the checkpoint.
   * The next event waits for that write, so writes never overlap, and a failed one stops the
   * feed, which restarts from the checkpoint the last good write left.
   */
  private async follow(event: RecordedEvent, generation: number): Promise<void> {
    if (this.writing) await this.writing;
    if (generation !== this.feedGeneration) throw new Error('SLA feed restarted');
    this.fed.push(event);
    if (this.fed.length === 1) setImmediate(() => this.writeRun(generation));
  }

  private writeRun(generation: number): void {
    if (!this.running || generation !== this.feedGeneration || this.fed.length === 0) return;
    const run = this.fed;
    this.fed = [];
    const subscription = this.subscription;
    const write = this.writeFed(run);
    this.writing = write;
    this.feedWrite = write;
    write.then(
      () => {
        if (this.writing === write) this.writing = null;
      },
      (error: unknown) => {
        // The next event sees the failure; but the subscription may be waiting for one: stop it.
        void subscription?.stop().then(() => {
          if (this.subscription === subscription && generation === this.feedGeneration)
            this.feedFailed(error);
        });
      },
    );
  }

  /**
   * A run of events: each case it touches read once as its stream now stands (an event a later
   * one supersedes needs nothing of its own), and every entry with the checkpoint in ONE statement.
   */
  private async writeFed(run: readonly RecordedEvent[]): Promise<void> {
    const last = run[run.length - 1];
    if (!last) return;
    await this.recordCases(this.streamsToRead(run), last.position);
    this.progressed();
  }

  /**
   * The streams a run of events touches, each once, as (stream id, case id) to read. A case this
   * watcher's scan holds gets its row from the scan's release; what the release does not cover is
   * read again after it (`scanOnce`). Spares a read per case in a burst.
   */
  private streamsToRead(events: readonly RecordedEvent[]): [string, string][] {
    const streams = new Map<string, { caseId: string; version: number }>();
    for (const event of events)
      streams.set(event.streamId, { caseId: this.caseIdOf(event), version: event.version });
    const toRead: [string, string][] = [];
    for (const [streamId, { caseId, version }] of streams) {
      if (this.held.has(caseId)) this.deferred.set(caseId, Math.max(version, this.deferred.get(caseId) ?? 0));
      else toRead.push([streamId, caseId]);
    }
    return toRead;
  }

  /** Each case's entry as its stream now stands, with the checkpoint; wakes the scanner if due sooner. */
  private async recordCases(streams: readonly [string, string][], position: GlobalPosition): Promise<void> {
    const soonest = await this.recordEntries(streams, position, this.deps.db);
    if (soonest !== null) this.wake(soonest);
  }

  /** The entries of these cases as their streams now stand; the earliest due instant among them. */
  private async recordEntries(
    streams: readonly [string, string][],
    position: GlobalPosition | null,
    db: Queryable,
  ): Promise<number | null> {
    const cases = await mapConcurrent(streams, FEED_READS, async ([streamId, fallbackId]) => {
      const { caseId, history } = await this.readCase(streamId, fallbackId);
      return { caseId, version: history.length, entry: this.entryOf(caseId, history) } satisfies FedCase;
    });
    await this.schedule.record(cases, position, db);
    return earliestDue(cases);
  }

  /**
   * The feed's step for events a broker delivered (ADR 0030), in the caller's transaction (which
   * writes the consumer's inbox too): the same entries the store's feed writes, without its
   * checkpoint. The scanner is woken by `takenIn` once that transaction committed.
   */
  async takeIn(db: Queryable, events: readonly RecordedEvent[]): Promise<void> {
    const soonest = await this.recordEntries(this.streamsToRead(events), null, db);
    if (soonest !== null) this.pendingWake = Math.min(soonest, this.pendingWake ?? soonest);
  }

  /** After a broker-fed transaction committed: wake the scanner for what it recorded, progress made. */
  takenIn(): void {
    const soonest = this.pendingWake;
    this.pendingWake = null;
    if (soonest !== null) this.wake(soonest);
    this.progressed();
  }

  private progressed(): void {
    this.lastProgressAt = Date.now();
    this.feedError = null;
    this.failures = 0;
  }

  // ---- the scanner ------------------------------------------------------------------------------

  /**
   * The scanner sleeps until the earlier of the interval and the schedule's next due instant
   * (SCAN_FLOOR_MS at least), and the feed wakes it for a row due sooner. It still looks at least
   * every interval, so a clock that is not the wall clock (tests), a lease running out or another
   * watcher's rows are seen within one.
   */
  private armScan(delayMs: number): void {
    if (!this.running) return;
    clearTimeout(this.scanTimer);
    this.scanTimerAt = Date.now() + delayMs;
    this.scanTimer = setTimeout(() => this.runScan(), delayMs);
    this.scanTimer.unref();
  }

  private runScan(): void {
    this.scanTimerAt = Number.POSITIVE_INFINITY;
    this.scanInFlight = true;
    this.wokenFor = null;
    this.scanning = this.scanOnce()
      .then((claimed) => (claimed >= this.settings.batchSize ? 0 : this.delayToNextDue()))
      .catch((error: unknown) => {
        this.logger.error(`SLA scan failed: ${error instanceof Error ? error.message : String(error)}`);
        return this.settings.intervalMs;
      })
      .then((delay) => {
        this.scanInFlight = false;
        const woken = this.wokenFor;
        this.wokenFor = null;
        this.armScan(woken === null ? delay : Math.min(delay, this.delayUntil(woken)));
      });
  }

  /** How long to sleep until the schedule's next due instant (at most the interval). */
  private async delayToNextDue(): Promise<number> {
    const next = await this.schedule.nextDue(this.deps.clock.now().getTime());
    return next === null ? this.settings.intervalMs : this.delayUntil(next);
  }

  /** From now until `dueAt` on the watcher's clock, between the floor and the interval. */
  private delayUntil(dueAt: number): number {
    const interval = this.settings.intervalMs;
    const floor = Math.min(SCAN_FLOOR_MS, interval);
    // One millisecond more: a timer may fire within its last millisecond.
    const wait = dueAt - this.deps.clock.now().getTime() + 1;
    return Math.min(interval, Math.max(floor, wait));
  }

  /** The feed recorded a row due at `dueAt`: scan by then if the timer would come later. */
  private wake(dueAt: number): void {
    if (!this.running || !this.scannerOn) return;
    if (this.scanInFlight) {
      this.wokenFor = this.wokenFor === null ? dueAt : Math.min(this.wokenFor, dueAt);
      return;
    }
    const delay = this.delayUntil(dueAt);
    if (Date.now() + delay < this.scanTimerAt) this.armScan(delay);
  }

  /**
   * Claims what is due now and issues its timers, `concurrency` cases at once, those due by their
   * own instant first. While claims come back full it claims the next batch as soon as the
   * claimed cases run out — no waiting for the slowest case of a batch — up to
   * MAX_CLAIMS_PER_SCAN claims; then gives every case back in one statement. Answers how many it
   * claimed.
   */
  async scanOnce(): Promise<number> {
    const first = this.deps.clock.now().getTime();
    await this.retimeAfterRuleChange(first);
    const batchSize = this.settings.batchSize;
    const claimed: ClaimedCase[] = [];
    const queue: { caseId: string; now: number }[] = [];
    let claims = 0;
    const claim = async (): Promise<boolean> => {
      const now = claims === 0 ? first : this.deps.clock.now().getTime();
      const got = await this.schedule.claim(now, this.settings.leaseMs, this.watcherId, batchSize);
      claims += 1;
      for (const c of got) {
        this.held.add(c.caseId);
        claimed.push(c);
        queue.push({ caseId: c.caseId, now });
      }
      return got.length >= batchSize && claims < MAX_CLAIMS_PER_SCAN;
    };
    let more = await claim();
    let refill: Promise<void> | undefined;
    const given: FedCase[] = [];
    let released = new Set<string>();
    try {
      const lane = async (): Promise<void> => {
        for (;;) {
          let next = queue.shift();
          while (next === undefined && more) {
            refill ??= claim()
              .then(
                (full) => {
                  more = full;
                },
                (error: unknown) => {
                  more = false;
                  this.logger.error(
                    `SLA claim failed: ${error instanceof Error ? error.message : String(error)}`,
                  );
                },
              )
              .finally(() => {
                refill = undefined;
              });
            await refill;
            next = queue.shift();
          }
          if (next === undefined) return;
          try {
            given.push(await this.fire(next.caseId, next.now));
          } catch (error) {
            // The lease stays: another scan (this watcher's or another's) tries again once it runs out.
            this.logger.error(
              `SLA timers of case ${next.caseId} failed: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
      };
      await Promise.all(Array.from({ length: this.settings.concurrency ?? DEFAULT_CONCURRENCY }, lane));
      // A re-timing asked for after the first claim may not be in what was computed: kept.
      released = await this.schedule.release(given, this.watcherId, first);
    } finally {
      await this.feedWhatReleaseMissed(claimed, given, released);
    }
    this.scans += 1;
    return claimed.length;
  }

  /**
   * The feed left the cases this scan held to its release: those whose events the release did
   * not cover (it failed, lost the lease, or an event came after its last read) are read and
   * recorded now. Should that fail too, the row is still due and claimable once the lease runs
   * out, and that scan times the case on its whole history.
   */
  private async feedWhatReleaseMissed(
    claimed: readonly ClaimedCase[],
    given: readonly FedCase[],
    released: ReadonlySet<string>,
  ): Promise<void> {
    const versions = new Map(given.map((c) => [c.caseId, c.version]));
    const again: [string, string][] = [];
    for (const { caseId } of claimed) {
      this.held.delete(caseId);
      const fedVersion = this.deferred.get(caseId);
      if (fedVersion === undefined) continue;
      this.deferred.delete(caseId);
      if (!released.has(caseId) || (versions.get(caseId) ?? 0) < fedVersion)
        again.push([caseStreamId(caseId), caseId]);
    }
    if (again.length === 0) return;
    try {
      await this.recordCases(again, START);
    } catch (error) {
      this.logger.error(
        `SLA entries of ${again.length} cases not recorded after a scan: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
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

  /**
   * A case's timers due at `now`, then its entry as it stands after them. The history after is
   * the one read before plus the events the commands appended, when their versions show nothing
   * else came between; otherwise the stream is read again.
   */
  private async fire(caseId: string, now: number): Promise<FedCase> {
    const streamId = caseStreamId(caseId);
    const before = await this.readCase(streamId, caseId);
    const commands = timerCommands(caseId, before.history, this.rulesOf(before.history), now);
    let history: readonly CaseEvent[] = before.history;
    let follows = true;
    for (const command of commands) {
      const result = await this.deps.send(command, timerKey(command));
      follows &&= result.version - result.events.length === history.length;
      if (follows) history = [...history, ...result.events];
    }
    if (!follows) history = (await this.readCase(streamId, caseId)).history;
    return { caseId: before.caseId, version: history.length, entry: this.entryOf(before.caseId, history) };
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
      ...(this.settings.warnAt ? { warnAt: this.settings.warnAt } : {}),
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

/** `work` over `items`, at most `limit` at a time; the answers in the items' order. */
async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return results;
}

function earliestDue(cases: readonly FedCase[]): number | null {
  let soonest: number | null = null;
  for (const c of cases) {
    const due = c.entry?.nextDueAt ?? null;
    if (due !== null && (soonest === null || due < soonest)) soonest = due;
  }
  return soonest;
}
