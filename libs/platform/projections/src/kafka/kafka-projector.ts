import type { Pool } from 'pg';
import {
  START,
  comparePositions,
  type EventStore,
  type GlobalFilter,
  type GlobalPosition,
  type RecordedEvent,
} from '@tongban/event-store';
import {
  eventInboxConsumer,
  type EventTopicSource,
  type InboxConsumer,
  type MessageBus,
} from '@tongban/messaging';
import { sharedFilter, type AnyProjection } from '../projection';
import { applyDelivered, type ApplyTarget } from '../postgres/apply';
import type { RunnerStatus } from '../postgres/projection-runner';
import { ensureCheckpoint, lowestCheckpoint, readCheckpoints } from '../postgres/projection-sql';

/** Pages of the log one advance of the checkpoints reads at most (it goes on at the next commit). */
const ADVANCE_PAGES = 20;
const ADVANCE_PAGE_SIZE = 1_000;

/** How the projector reads events off the broker: the topic and the public envelope's decoder. */
export interface KafkaProjectionSource extends EventTopicSource {
  /** The consumer's name: its rows in the inbox and its consumer group. Default `projector`. */
  readonly consumer?: string;
}

export interface KafkaProjectorOptions extends KafkaProjectionSource {
  readonly pool: Pool;
  /** The store the events come from: the checkpoint moves over what it holds (see `advance`). */
  readonly store: Pick<EventStore, 'readAll'>;
  readonly bus: MessageBus;
  readonly projections: readonly AnyProjection[];
  /**
   * After the checkpoints moved, with where to (wakes read-your-writes waits here and, by NOTIFY,
   * elsewhere).
   */
  readonly committed?: (positions: ReadonlyMap<string, GlobalPosition>) => void;
  /** Put before the topics and the group (KAFKA_TOPIC_PREFIX). */
  readonly prefix?: string;
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  readonly log?: (level: 'error' | 'warn', message: string) => void;
}

/**
 * The read models fed from Kafka (ADR 0030): the same projections and the same engine as the
 * store's runner, each partition's batch applied in ONE transaction together with the consumer's
 * inbox (`applyDelivered`: order per case, duplicates skipped by stream version and by event id).
 * After each commit the checkpoints move as far as everything before is applied (`advance`), so
 * they mean what the store's runner's mean. Several projectors in one consumer group split the
 * partitions between them.
 */
export class KafkaProjector {
  readonly consumer: InboxConsumer<RecordedEvent>;
  private readonly name: string;
  private readonly targets: readonly ApplyTarget[];
  private readonly columnCache = new Map<string, string[]>();
  private running = false;
  /** Where the checkpoints are: everything before it applied. */
  private position: GlobalPosition = START;
  private advancing: Promise<void> | null = null;
  private advanceAgain = false;
  private readonly filter: GlobalFilter | undefined;
  private lastEventAt: Date | null = null;

  constructor(private readonly options: KafkaProjectorOptions) {
    const name = options.consumer ?? 'projector';
    this.name = name;
    this.filter = sharedFilter(options.projections);
    this.targets = options.projections.map((projection) => ({
      projection,
      checkpoint: projection.name,
      suffix: '',
    }));
    this.consumer = eventInboxConsumer({
      name,
      source: options,
      ...(options.prefix !== undefined ? { prefix: options.prefix } : {}),
      pool: options.pool,
      bus: options.bus,
      handle: async (client, items) => {
        // A batch is one partition's: its row in projection_delivered.
        const from = items[0]!.message;
        await applyDelivered(
          client,
          this.targets,
          items.map((i) => i.value),
          `${from.topic}/${from.partition}`,
          this.columnCache,
        );
      },
      afterCommit: (items) => {
        this.lastEventAt = items[items.length - 1]!.value.recordedAt;
        this.requestAdvance();
      },
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  }

  get projections(): readonly AnyProjection[] {
    return this.options.projections;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const client = await this.options.pool.connect();
    try {
      for (const p of this.options.projections) await ensureCheckpoint(client, p.name);
    } finally {
      client.release();
    }
    await this.consumer.start();
    this.running = true;
  }

  /** Finishes the transaction in flight; only finished work's offsets are committed. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.stop();
    await this.advancing;
  }

  /** One advance at a time; commits meanwhile ask for one more. */
  private requestAdvance(): void {
    if (this.advancing) {
      this.advanceAgain = true;
      return;
    }
    this.advancing = this.advance()
      .catch((error: unknown) =>
        this.options.log?.(
          'warn',
          `checkpoint not moved: ${error instanceof Error ? error.message : String(error)}`,
        ),
      )
      .finally(() => {
        this.advancing = null;
        if (this.advanceAgain && this.running) {
          this.advanceAgain = false;
          this.requestAdvance();
        }
      });
  }

  /**
   * Moves the checkpoints to the furthest position everything before which is applied: the
   * store's log after the checkpoint, page by page, as long as the inbox holds each event (applied
   * or dead-lettered). Partitions run side by side, so a lagging one holds the checkpoint back —
   * which is what read-your-writes must wait for, whichever case it reads (ADR 0030).
   */
  private async advance(): Promise<void> {
    const names = this.options.projections.map((p) => p.name);
    const from = lowestCheckpoint(await readCheckpoints(this.options.pool, names), names);
    let at = from;
    let passed = 0;
    for (let page = 0; page < ADVANCE_PAGES; page++) {
      const read = await this.options.store.readAll({
        after: at,
        maxCount: ADVANCE_PAGE_SIZE,
        ...(this.filter ? { filter: this.filter } : {}),
      });
      if (read.events.length > 0) {
        const { rows } = await this.options.pool.query<{ event_id: string }>(
          `SELECT event_id FROM message_inbox WHERE consumer = $1 AND event_id = ANY ($2::text[])`,
          [this.name, read.events.map((e) => e.id)],
        );
        const taken = new Set(rows.map((r) => r.event_id));
        const missing = read.events.findIndex((e) => !taken.has(e.id));
        if (missing >= 0) {
          if (missing > 0) at = read.events[missing - 1]!.position;
          passed += missing;
          break;
        }
        passed += read.events.length;
      }
      // Every event of the page taken in: past it, and past what the filter left out.
      if (comparePositions(read.next, at) > 0) at = read.next;
      if (read.caughtUp) break;
    }
    if (comparePositions(at, from) <= 0) {
      if (comparePositions(from, this.position) > 0) this.position = from;
      return;
    }
    // Locked in name order, as every locker of these rows does (no deadlock with the partitions'
    // shared locks or a rebuild's swap), and only ever forward.
    await this.options.pool.query(
      `UPDATE projection_checkpoints c
          SET position_tx = $2, position_seq = $3, events_applied = c.events_applied + $4, updated_at = now()
         FROM (SELECT projection FROM projection_checkpoints WHERE projection = ANY ($1::text[])
                ORDER BY projection FOR UPDATE) l
        WHERE c.projection = l.projection AND (c.position_tx, c.position_seq) < ($2::bigint, $3::bigint)`,
      [names, at.tx.toString(), at.seq.toString(), passed],
    );
    this.position = at;
    this.options.committed?.(new Map(names.map((n) => [n, at])));
  }

  /**
   * The runner's status shape, so readiness, metrics and the admin view read either driver. A
   * partition stopped at an order violation, or failing for a while, counts as a stuck runner.
   */
  get status(): RunnerStatus {
    const partitions = this.consumer.state();
    let problem: string | null = null;
    let since: Date | null = null;
    try {
      this.consumer.check();
    } catch (error) {
      problem = (error as Error).message;
      since = partitions.find((p) => p.stopped)?.stopped?.since ?? null;
    }
    const failing = partitions.filter((p) => p.stopped);
    return {
      running: this.running,
      caughtUp: this.running && partitions.every((p) => p.lag === 0 && !p.stopped),
      position: this.position,
      eventsApplied: this.consumer.applied,
      batches: 0,
      failures: this.consumer.deadLettered,
      consecutiveFailures: failing.length,
      failingSince: since,
      lastError: problem ?? failing[0]?.stopped?.reason ?? null,
      ...(problem ? { stuck: problem } : {}),
      stopped: [],
      gaps: {},
    };
  }

  /** Messages not yet applied across this instance's partitions, and the age of the last one applied. */
  async lag(now = new Date()): Promise<{ events: number; seconds: number }> {
    const events = this.consumer.state().reduce((sum, p) => sum + p.lag, 0);
    const seconds =
      events > 0 && this.lastEventAt ? Math.max(0, (now.getTime() - this.lastEventAt.getTime()) / 1000) : 0;
    return { events, seconds };
  }
}
