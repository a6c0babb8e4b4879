import type { Pool } from 'pg';
import { START, comparePositions, type GlobalPosition, type RecordedEvent } from '@tongban/event-store';
import {
  InboxConsumer,
  type Decoded,
  type DeadLetterFailure,
  type MessageBus,
  type ReceivedMessage,
} from '@tongban/messaging';
import type { AnyProjection } from '../projection';
import { applyDelivered, type ApplyTarget } from '../postgres/apply';
import type { RunnerStatus } from '../postgres/projection-runner';
import { INBOX_APPLIER, ensureCheckpoint } from '../postgres/projection-sql';

/** How the projector reads events off the broker: the topic and the public envelope's decoder. */
export interface KafkaProjectionSource {
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** Never throws: the envelope validated and turned back into the stored event, or why not. */
  readonly decode: (
    message: ReceivedMessage,
  ) => { ok: true; event: RecordedEvent } | { ok: false; code: string; reason: string };
  readonly deadLetterHeaders: (failure: DeadLetterFailure) => Record<string, string>;
  /** The consumer's name: its consumer group and its rows in the inbox. Default `projector`. */
  readonly consumer?: string;
}

export interface KafkaProjectorOptions extends KafkaProjectionSource {
  readonly pool: Pool;
  readonly bus: MessageBus;
  readonly projections: readonly AnyProjection[];
  /** After each commit (wakes read-your-writes waits here and, by NOTIFY, elsewhere). */
  readonly committed?: () => void;
  readonly maxAttempts?: number;
  readonly retryDelayMs?: number;
  readonly log?: (level: 'error' | 'warn', message: string) => void;
}

/**
 * The read models fed from Kafka (ADR 0030): the same projections and the same engine as the
 * store's runner, each partition's batch applied in ONE transaction together with the consumer's
 * inbox (`applyDelivered`: order per case, duplicates skipped by stream version and by event id).
 * Several projectors in one consumer group split the partitions between them.
 */
export class KafkaProjector {
  readonly consumer: InboxConsumer<RecordedEvent>;
  private readonly targets: readonly ApplyTarget[];
  private readonly columnCache = new Map<string, string[]>();
  private running = false;
  private highest: GlobalPosition = START;
  private lastAppliedAt: Date | null = null;
  private lastEventAt: Date | null = null;

  constructor(private readonly options: KafkaProjectorOptions) {
    const name = options.consumer ?? 'projector';
    this.targets = options.projections.map((projection) => ({
      projection,
      checkpoint: projection.name,
      suffix: '',
    }));
    const decode = options.decode;
    this.consumer = new InboxConsumer<RecordedEvent>({
      name,
      topic: options.topic,
      deadLetterTopic: options.deadLetterTopic,
      pool: options.pool,
      bus: options.bus,
      decode: (message): Decoded<RecordedEvent> => {
        const decoded = decode(message);
        if (!decoded.ok) return decoded;
        const event = decoded.event;
        return {
          ok: true,
          entry: { id: event.id, streamId: event.streamId, version: event.version, position: event.position },
          value: event,
        };
      },
      handle: async (client, items) => {
        await applyDelivered(
          client,
          this.targets,
          items.map((i) => i.value),
          `${INBOX_APPLIER}${name}`,
          this.columnCache,
        );
      },
      afterCommit: (items) => {
        for (const { value } of items) {
          if (comparePositions(value.position, this.highest) > 0) this.highest = value.position;
        }
        this.lastEventAt = items[items.length - 1]!.value.recordedAt;
        this.lastAppliedAt = new Date();
        options.committed?.();
      },
      deadLetterHeaders: options.deadLetterHeaders,
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
      position: this.highest,
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

  /** When this instance last applied something (metrics, tests). */
  get lastApplied(): Date | null {
    return this.lastAppliedAt;
  }
}
