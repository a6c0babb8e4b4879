import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClientConfig, Pool } from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import {
  LocalChangeSignal,
  START,
  type ChangeSignal,
  type EventStore,
  type GlobalPosition,
  type ReadAllResult,
  type RecordedEvent,
} from '@tongban/event-store';
import type { BusMessage } from '../message-bus';
import { PgChangeListener } from './change-listener';
import { RelayTables } from './relay-tables';

/** Where one stored event goes; null keeps it off the broker (the checkpoint still passes it). */
export interface RelayRoute {
  readonly topic: string;
  readonly message: BusMessage;
}

export type RelayRouter = (event: RecordedEvent) => RelayRoute | null;

/**
 * What the relay publishes through: resolving means the broker acknowledged every message
 * (idempotent producer, acks from all in-sync replicas). A `MessageBus` is one.
 */
export interface RelayPublisher {
  publish(topic: string, messages: readonly BusMessage[]): Promise<void>;
}

export interface EventRelayOptions {
  /** Holds `relay_leases` and `relay_checkpoints` (RELAY_MIGRATIONS). */
  readonly pool: Pool;
  readonly store: EventStore;
  readonly publisher: RelayPublisher;
  readonly route: RelayRouter;
  /** The lease and checkpoint rows' name: relays of different names run side by side. Default `events`. */
  readonly name?: string;
  /** Who this instance is in the lease row. Default host, pid and a random suffix. */
  readonly holderId?: string;
  /** How long the lease lasts unless renewed (renewed every third of it). Default 5000 ms. */
  readonly leaseMs?: number;
  /** Events read and published per round trip. Default 500. */
  readonly batchSize?: number;
  /** Readiness turns red when, holding the lease, the checkpoint has not moved for this long with events waiting. Default 30 000 ms. */
  readonly stuckAfterMs?: number;
  /**
   * LISTEN for wake-ups: new commits (the event store's NOTIFY channel) and a lease given back.
   * Without it the relay polls every `pollMs`.
   */
  readonly wakeUps?: { readonly connection: ClientConfig; readonly appendedChannel: string };
  /** Longest sleep between looks at the log when no wake-up arrives. Default 1000 ms with wake-ups, else 50 ms. */
  readonly pollMs?: number;
  /** Upper bound of one publish request's payload; a batch is split below it. Default 900 000 bytes (Kafka's default limit is 1 MiB). */
  readonly maxRequestBytes?: number;
  /** Back-off between publish attempts: doubles from the first to the last. Default 100 ms → 5000 ms. */
  readonly retryMs?: { readonly first: number; readonly max: number };
  /** Registers the `tongban_relay_*` metrics here. */
  readonly registry?: Registry;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** The channel a relay giving its lease back notifies, so a standby takes over at once. */
export const RELAY_LEASE_CHANNEL = 'tongban_relay_lease';

class LeaseLost extends Error {}
/** stop() was called while a publish kept failing: the batch is left for the next holder. */
class Stopping extends Error {}

/**
 * Publishes the event store's global log to the broker, in commit order, from a checkpoint kept
 * in PostgreSQL (the transactional outbox is the store itself). Exactly one instance relays: it
 * holds a lease row renewed on the database's clock; the others stand by and take over when it
 * lapses or is given back. The checkpoint moves only after the broker acknowledged everything up
 * to it, and only while the lease is held, so every event reaches the broker at least once; a
 * crash or a takeover publishes the last batch again (consumers dedupe on the event id). A
 * publish that fails is retried with back-off, never skipped.
 */
export class EventRelay {
  readonly holderId: string;
  private readonly tables: RelayTables;
  private readonly name: string;
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly stuckAfterMs: number;
  private readonly pollMs: number;
  private readonly maxRequestBytes: number;
  private readonly retry: { readonly first: number; readonly max: number };
  private readonly listener: PgChangeListener | undefined;
  private readonly appended: ChangeSignal;
  private readonly released: ChangeSignal;
  private readonly log: NonNullable<EventRelayOptions['log']>;

  private running = false;
  private loop: Promise<void> | undefined;
  private wakeStop: () => void = () => undefined;
  private stopped: Promise<void> = Promise.resolve();
  private renewal: NodeJS.Timeout | undefined;
  private leader = false;
  private validUntil = 0;
  private position: GlobalPosition = START;
  private lastProgressAt = Date.now();
  private publishError: string | null = null;
  private readonly metrics: { readonly relayed: Counter; readonly failures: Counter } | undefined;
  private readonly counts = { relayed: 0, failures: 0 };
  private retryAfterWakeMs = 0;
  private woken = false;
  /** The next page, read while the current one is being published (a backlog drains faster). */
  private prefetched:
    | { readonly after: GlobalPosition; readonly seen: number; readonly page: Promise<ReadAllResult> }
    | undefined;

  constructor(private readonly options: EventRelayOptions) {
    this.name = options.name ?? 'events';
    this.holderId = options.holderId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseMs = options.leaseMs ?? 5_000;
    this.batchSize = options.batchSize ?? 500;
    this.stuckAfterMs = options.stuckAfterMs ?? 30_000;
    this.pollMs = options.pollMs ?? (options.wakeUps ? 1_000 : 50);
    this.maxRequestBytes = options.maxRequestBytes ?? 900_000;
    this.retry = options.retryMs ?? { first: 100, max: 5_000 };
    this.log = options.log ?? (() => undefined);
    this.tables = new RelayTables(options.pool, this.name);
    if (options.wakeUps) {
      this.listener = new PgChangeListener(
        options.wakeUps.connection,
        [options.wakeUps.appendedChannel, RELAY_LEASE_CHANNEL],
        (error) => this.log('warn', `Relay LISTEN connection failed, polling meanwhile: ${error.message}`),
      );
      this.appended = this.listener.signal(options.wakeUps.appendedChannel);
      this.released = this.listener.signal(RELAY_LEASE_CHANNEL);
    } else {
      this.appended = new LocalChangeSignal();
      this.released = new LocalChangeSignal();
    }
    this.metrics = options.registry ? this.registerMetrics(options.registry) : undefined;
  }

  /** True while this instance holds an unexpired lease (by its own conservative count). */
  get isLeader(): boolean {
    return this.leader && performance.now() < this.validUntil;
  }

  /** Events published (acknowledged) and failed publish attempts by this instance so far. */
  get stats(): { readonly relayed: number; readonly publishFailures: number } {
    return { relayed: this.counts.relayed, publishFailures: this.counts.failures };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = new Promise<void>((resolve) => (this.wakeStop = resolve));
    this.listener?.start();
    this.loop = this.run();
  }

  /**
   * Finishes the batch in flight (its publish attempt and, once acknowledged, its checkpoint) and
   * gives the lease back, so a standby takes over at once. `releaseLease: false` leaves the lease
   * to lapse, as a crashed instance would.
   */
  async stop(options: { readonly releaseLease?: boolean } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeStop();
    await this.loop;
    clearInterval(this.renewal);
    this.renewal = undefined;
    const held = this.leader;
    this.leader = false;
    if (held && options.releaseLease !== false) {
      try {
        await this.tables.release(this.holderId);
        await this.options.pool.query('SELECT pg_notify($1, $2)', [RELAY_LEASE_CHANNEL, this.name]);
      } catch (error) {
        this.log(
          'warn',
          `Relay could not give its lease back (it lapses in ${this.leaseMs} ms): ${message(error)}`,
        );
      }
    }
    await this.listener?.close();
  }

  /**
   * Readiness: a standby waiting for the lease is ready; the holder is not while its publishes
   * fail, or while events wait and its checkpoint has not moved for `stuckAfterMs`.
   */
  check(): Promise<void> {
    if (!this.isLeader) return Promise.resolve();
    if (this.publishError !== null) {
      return Promise.reject(new Error(`publishing to the broker fails: ${this.publishError}`));
    }
    const idle = Date.now() - this.lastProgressAt;
    if (idle > this.stuckAfterMs) {
      return Promise.reject(
        new Error(
          `the relay has not moved its checkpoint for ${Math.round(idle / 1000)} s with events waiting`,
        ),
      );
    }
    return Promise.resolve();
  }

  /** Events after the stored checkpoint, and the age of the oldest of them (0 when caught up). */
  async lag(): Promise<{ readonly events: number; readonly seconds: number }> {
    const { position } = await this.tables.checkpoint();
    const [events, oldest] = await Promise.all([
      this.options.store.countAll({ after: position }),
      this.options.store.readAll({ after: position, maxCount: 1 }),
    ]);
    const first = oldest.events[0];
    const seconds = first ? Math.max(0, (Date.now() - first.recordedAt.getTime()) / 1000) : 0;
    return { events, seconds };
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        if (!this.isLeader) {
          if (this.leader) this.stepDown('its lease ran out before it could be renewed');
          if (!(await this.takeLease())) {
            const seen = this.released.version;
            await this.sleep(this.released, Math.max(50, Math.min(1_000, this.leaseMs / 5)), seen);
            continue;
          }
        }
        await this.relayOnce();
        failures = 0;
      } catch (error) {
        if (error instanceof Stopping) continue;
        if (error instanceof LeaseLost) {
          this.stepDown('its lease lapsed');
          continue;
        }
        failures += 1;
        this.log('warn', `Relay step failed (attempt ${failures}): ${message(error)}`);
        await this.sleep(undefined, this.backoff(failures));
      }
    }
  }

  /** Takes (or keeps) the lease; on taking it, starts renewing it and reads the checkpoint. */
  private async takeLease(): Promise<boolean> {
    const asked = performance.now();
    if (!(await this.tables.acquire(this.holderId, this.leaseMs))) return false;
    this.validUntil = asked + this.leaseMs;
    this.position = (await this.tables.checkpoint()).position;
    this.leader = true;
    this.lastProgressAt = Date.now();
    this.publishError = null;
    clearInterval(this.renewal);
    this.renewal = setInterval(() => void this.renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.renewal.unref();
    this.log(
      'info',
      `Relay ${this.holderId} holds the lease of '${this.name}' from ${formatPos(this.position)}`,
    );
    return true;
  }

  private async renew(): Promise<void> {
    if (!this.leader || !this.running) return;
    const asked = performance.now();
    try {
      if (await this.tables.acquire(this.holderId, this.leaseMs)) {
        if (this.leader) this.validUntil = asked + this.leaseMs;
      } else {
        this.stepDown('another instance took the lease');
      }
    } catch (error) {
      // Keep relaying on the time left; the loop stops publishing once it runs out.
      this.log('warn', `Relay could not renew its lease: ${message(error)}`);
    }
  }

  private stepDown(why: string): void {
    if (!this.leader) return;
    this.leader = false;
    clearInterval(this.renewal);
    this.renewal = undefined;
    this.log('warn', `Relay ${this.holderId} stopped relaying: ${why}`);
  }

  /** One batch: read after the checkpoint, publish, and move the checkpoint once acknowledged. */
  private async relayOnce(): Promise<void> {
    const { seen, page } = await this.read(this.position);
    if (!page.caughtUp) {
      const next = { after: page.next, seen: this.appended.version, page: this.readPage(page.next) };
      next.page.catch(() => undefined);
      this.prefetched = next;
    }
    const byTopic = new Map<string, BusMessage[]>();
    let count = 0;
    for (const event of page.events) {
      const routed = this.options.route(event);
      if (!routed) continue;
      let messages = byTopic.get(routed.topic);
      if (!messages) byTopic.set(routed.topic, (messages = []));
      messages.push(routed.message);
      count += 1;
    }
    if (count > 0) await this.publish(byTopic);
    if (comparePositions(page.next, this.position) > 0) {
      await this.advance(page.next, count);
    }
    if (page.caughtUp) {
      this.lastProgressAt = Date.now();
      await this.waitForCommits(page.events.length === 0, seen);
    }
  }

  private async read(after: GlobalPosition): Promise<{ seen: number; page: ReadAllResult }> {
    const prefetched = this.prefetched;
    this.prefetched = undefined;
    if (prefetched && comparePositions(prefetched.after, after) === 0) {
      return { seen: prefetched.seen, page: await prefetched.page };
    }
    const seen = this.appended.version;
    return { seen, page: await this.readPage(after) };
  }

  private readPage(after: GlobalPosition): Promise<ReadAllResult> {
    return this.options.store.readAll({ after, maxCount: this.batchSize });
  }

  /**
   * A commit we are told of may not be visible yet (the global log shows an event only once every
   * older transaction in the cluster has ended): after a wake-up that showed nothing, look again
   * soon — 10 ms, doubling — rather than sleeping a poll interval (as the catch-up loop does).
   */
  private async waitForCommits(empty: boolean, seen: number): Promise<void> {
    const retry = this.retryAfterWakeMs;
    let next = empty && (this.woken || retry > 0) ? (retry === 0 ? 10 : retry * 2) : 0;
    if (next >= this.pollMs) next = 0;
    this.retryAfterWakeMs = next;
    await this.sleep(this.appended, next || this.pollMs, seen);
    this.woken = this.appended.version !== seen;
  }

  /** Every topic's messages acknowledged, or throws LeaseLost; retries with back-off meanwhile. */
  private async publish(byTopic: ReadonlyMap<string, readonly BusMessage[]>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (!this.isLeader) throw new LeaseLost();
      try {
        await Promise.all([...byTopic].map(([topic, messages]) => this.publishTopic(topic, messages)));
        this.publishError = null;
        return;
      } catch (error) {
        this.counts.failures += 1;
        this.metrics?.failures.inc();
        this.publishError = message(error);
        this.log('warn', `Relay publish failed (attempt ${attempt}), retrying: ${this.publishError}`);
        // Stopping: give up the batch; the checkpoint stays, the next holder publishes it.
        if (!this.running) throw new Stopping();
        await this.sleep(undefined, this.backoff(attempt));
      }
    }
  }

  private async publishTopic(topic: string, messages: readonly BusMessage[]): Promise<void> {
    let chunk: BusMessage[] = [];
    let bytes = 0;
    for (const m of messages) {
      const size = Buffer.byteLength(m.key) + Buffer.byteLength(m.value) + headerBytes(m) + 64;
      if (chunk.length > 0 && bytes + size > this.maxRequestBytes) {
        await this.options.publisher.publish(topic, chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += size;
    }
    if (chunk.length > 0) await this.options.publisher.publish(topic, chunk);
  }

  private async advance(position: GlobalPosition, relayed: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (!(await this.tables.advance(this.holderId, position, relayed))) throw new LeaseLost();
        break;
      } catch (error) {
        if (error instanceof LeaseLost || !this.isLeader) throw new LeaseLost();
        this.log('warn', `Relay could not store its checkpoint (attempt ${attempt}): ${message(error)}`);
        await this.sleep(undefined, this.backoff(attempt));
      }
    }
    this.position = position;
    this.lastProgressAt = Date.now();
    this.counts.relayed += relayed;
    this.metrics?.relayed.inc(relayed);
  }

  private backoff(attempt: number): number {
    return Math.min(this.retry.max, this.retry.first * 2 ** Math.min(attempt - 1, 20));
  }

  /** Sleeps until `signal` changes (after `seen`), the timeout, or stop(). */
  private async sleep(signal: ChangeSignal | undefined, ms: number, seen?: number): Promise<void> {
    if (!this.running) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    try {
      await Promise.race([signal ? signal.wait(ms, seen) : timeout, timeout, this.stopped]);
    } finally {
      clearTimeout(timer);
    }
  }

  private registerMetrics(registry: Registry): { relayed: Counter; failures: Counter } {
    let reading: Promise<{ events: number; seconds: number }> | undefined;
    // One read serves a scrape's two lag gauges.
    const read = (): Promise<{ events: number; seconds: number }> =>
      (reading ??= this.lag().finally(() => setImmediate(() => (reading = undefined))));
    new Gauge({
      name: 'tongban_relay_lag_events',
      help: "Events in the global log after the relay's checkpoint",
      registers: [registry],
      async collect() {
        this.set((await read()).events);
      },
    });
    new Gauge({
      name: 'tongban_relay_lag_seconds',
      help: 'Age of the oldest event not yet relayed to the broker (0 when caught up)',
      registers: [registry],
      async collect() {
        this.set((await read()).seconds);
      },
    });
    const isLeader = (): boolean => this.isLeader;
    new Gauge({
      name: 'tongban_relay_leader',
      help: 'Whether this instance holds the relay lease and publishes (1) or stands by (0)',
      registers: [registry],
      collect() {
        this.set(isLeader() ? 1 : 0);
      },
    });
    return {
      relayed: new Counter({
        name: 'tongban_relay_events_total',
        help: 'Events this instance published and the broker acknowledged',
        registers: [registry],
      }),
      failures: new Counter({
        name: 'tongban_relay_publish_failures_total',
        help: 'Publish attempts of this instance that failed (each is retried)',
        registers: [registry],
      }),
    };
  }
}

function comparePositions(a: GlobalPosition, b: GlobalPosition): number {
  if (a.tx !== b.tx) return a.tx < b.tx ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

function formatPos(p: GlobalPosition): string {
  return `${p.tx}/${p.seq}`;
}

function headerBytes(m: BusMessage): number {
  let n = 0;
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
