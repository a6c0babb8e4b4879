import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import {
  eventStorePoolConfig,
  migrateEventStore,
  PostgresEventStore,
  START,
  type GlobalPosition,
  type PostgresEventStoreOptions,
} from '@tongban/event-store';
import type { BenchAppend, BenchEvent } from './payloads';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const BENCH_DIR = resolve(__dirname, '..');

/** node-postgres's Pool as the product sees it; all pools here are used through this shape. */
export type Pool = PostgresEventStoreOptions['pool'];
type PoolConfig = ReturnType<typeof eventStorePoolConfig>;
interface PgModule {
  Pool: new (config: PoolConfig) => Pool;
}

/**
 * Two copies of node-postgres on purpose: the floor and Tongban use the product's (root
 * node_modules); Emmett uses the one installed beside it in bench/node_modules, because its
 * driver layer (dumbo) checks `instanceof pg.Pool` against its own copy and installs global
 * jsonb type parsers on it — which must not leak into the other two systems' pools.
 */
const fromRoot = createRequire(join(REPO_ROOT, 'package.json'));
const fromBench = createRequire(join(BENCH_DIR, 'package.json'));
const rootPg = fromRoot('pg') as PgModule;

export const POOL_MAX = 10;

export type SystemKey = 'floor' | 'emmett' | 'tongban';

/** A reader of the whole global log from its start, one batch per call. */
export interface CatchUpCursor {
  /** Reads the next batch; `done` once the reader has caught up. */
  next(): Promise<CatchUpBatch>;
}

export interface CatchUpBatch {
  readonly count: number;
  readonly done: boolean;
  /** The batch's event ids, extracted only when asked (the untimed completeness check). */
  readonly ids: () => string[];
}

export interface SystemUnderTest {
  readonly key: SystemKey;
  readonly label: string;
  /** The events table (or tables) and everything it needs. Not timed. */
  setup(): Promise<void>;
  /** Appends to a stream that must not exist yet; resolves to the number of events written. */
  appendNew(append: BenchAppend): Promise<number>;
  /** Appends to a stream that must be exactly at `expectedVersion`. */
  appendAt(append: BenchAppend, expectedVersion: number): Promise<number>;
  /** Reads a whole stream; resolves to the number of events read. */
  readStream(streamId: string): Promise<number>;
  catchUp(batchSize: number): CatchUpCursor;
  /** Plain SQL on this system's own database (counts, VACUUM). */
  sql(text: string): Promise<Record<string, unknown>[]>;
  countEvents(): Promise<number>;
  close(): Promise<void>;
}

function newPool(pg: PgModule, connectionString: string): Pool {
  const pool = new pg.Pool({ connectionString, max: POOL_MAX });
  // An idle connection cut by the server (the databases are dropped at the end) must not crash us.
  pool.on('error', () => undefined);
  return pool;
}

// ---------------------------------------------------------------------------------------------
// The floor: what PostgreSQL does for a plain INSERT into a comparable table.
// ---------------------------------------------------------------------------------------------

const FLOOR_SCHEMA = `
CREATE TABLE events (
  id             bigserial PRIMARY KEY,
  stream_id      text   NOT NULL,
  stream_version bigint NOT NULL,
  event_id       uuid   NOT NULL UNIQUE,
  type           text   NOT NULL,
  data           jsonb  NOT NULL,
  metadata       jsonb  NOT NULL,
  UNIQUE (stream_id, stream_version)
)`;

/**
 * One statement per append, autocommit, one round trip: a single-row INSERT for a one-event
 * append, a multi-row INSERT for more. No version check beyond the unique constraint, no
 * global-order bookkeeping: the least any event store on this table shape could do.
 */
export class FloorSystem implements SystemUnderTest {
  readonly key = 'floor';
  readonly label = 'floor (plain INSERT)';
  private readonly pool: Pool;

  constructor(connectionString: string) {
    this.pool = newPool(rootPg, connectionString);
  }

  async setup(): Promise<void> {
    await this.pool.query(FLOOR_SCHEMA);
  }

  appendNew(append: BenchAppend): Promise<number> {
    return this.appendAt(append, 0);
  }

  async appendAt(append: BenchAppend, expectedVersion: number): Promise<number> {
    const { streamId, events } = append;
    if (events.length === 1) {
      const e = events[0]!;
      await this.pool.query(
        'INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata) VALUES ($1, $2, $3, $4, $5, $6)',
        [streamId, expectedVersion + 1, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)],
      );
      return 1;
    }
    const values: string[] = [];
    const params: unknown[] = [];
    events.forEach((e, i) => {
      const p = params.length;
      values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`);
      params.push(
        streamId,
        expectedVersion + i + 1,
        e.id,
        e.type,
        JSON.stringify(e.data),
        JSON.stringify(e.metadata),
      );
    });
    await this.pool.query(
      `INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata) VALUES ${values.join(', ')}`,
      params,
    );
    return events.length;
  }

  async readStream(streamId: string): Promise<number> {
    const { rows } = await this.pool.query(
      `SELECT id, stream_id, stream_version, event_id, type, data, metadata
         FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    return rows.length;
  }

  catchUp(batchSize: number): CatchUpCursor {
    let after = '0';
    return {
      next: async () => {
        const { rows } = await this.pool.query<{ id: string; event_id: string }>(
          `SELECT id, stream_id, stream_version, event_id, type, data, metadata
             FROM events WHERE id > $1 ORDER BY id LIMIT $2`,
          [after, batchSize],
        );
        if (rows.length > 0) after = rows[rows.length - 1]!.id;
        return { count: rows.length, done: rows.length < batchSize, ids: () => rows.map((r) => r.event_id) };
      },
    };
  }

  async sql(text: string): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(text)).rows;
  }

  async countEvents(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM events');
    return Number(rows[0]!.n);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Tongban: the product's PostgresEventStore, used exactly as the apps use it.
// ---------------------------------------------------------------------------------------------

export class TongbanSystem implements SystemUnderTest {
  readonly key = 'tongban';
  readonly label = 'Tongban PostgresEventStore';
  private readonly pool: Pool;
  private readonly store: PostgresEventStore;

  constructor(connectionString: string) {
    // The product's own pool settings (statement and idle-in-transaction timeouts), max 10.
    this.pool = new rootPg.Pool(eventStorePoolConfig(connectionString, { max: POOL_MAX }));
    this.pool.on('error', () => undefined);
    this.store = new PostgresEventStore({ pool: this.pool });
  }

  async setup(): Promise<void> {
    await migrateEventStore(this.pool);
  }

  appendNew(append: BenchAppend): Promise<number> {
    return this.appendAt(append, 0);
  }

  async appendAt(append: BenchAppend, expectedVersion: number): Promise<number> {
    await this.store.append(append.streamId, append.events, expectedVersion);
    return append.events.length;
  }

  async readStream(streamId: string): Promise<number> {
    return (await this.store.readStream(streamId)).length;
  }

  catchUp(batchSize: number): CatchUpCursor {
    let after: GlobalPosition = START;
    return {
      next: async () => {
        const page = await this.store.readAll({ after, maxCount: batchSize });
        after = page.next;
        return { count: page.events.length, done: page.caughtUp, ids: () => page.events.map((e) => e.id) };
      },
    };
  }

  async sql(text: string): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(text)).rows;
  }

  async countEvents(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM tongban_es.events');
    return Number(rows[0]!.n);
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.pool.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Emmett (@event-driven-io/emmett-postgresql), the peer. Installed only in bench/node_modules
// and loaded at run time, so the root typecheck needs neither it nor its types: the small
// interfaces below are the part of its API this benchmark calls (checked against 0.42.0).
// ---------------------------------------------------------------------------------------------

interface EmmettEvent {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

interface EmmettEventStore {
  appendToStream(
    streamName: string,
    events: EmmettEvent[],
    options?: { expectedStreamVersion?: bigint | string },
  ): Promise<{ nextExpectedStreamVersion: bigint; lastEventGlobalPosition: bigint }>;
  readStream(
    streamName: string,
  ): Promise<{ currentStreamVersion: bigint; events: unknown[]; streamExists: boolean }>;
  schema: { migrate(): Promise<unknown> };
  close(): Promise<void>;
}

/** dumbo's connection pool: Emmett's driver layer, wrapping a node-postgres Pool. */
interface DumboPool {
  execute: unknown;
  close(): Promise<void>;
}

interface EmmettPostgresModule {
  getPostgreSQLEventStore(
    connectionString: string,
    options: { connectionOptions: { dumbo: DumboPool } },
  ): EmmettEventStore;
  /** What Emmett's own consumers and processors use to read the global log in batches. */
  readMessagesBatch(
    execute: unknown,
    options: { after: bigint; batchSize: number },
  ): Promise<{
    currentGlobalPosition: bigint;
    messages: { metadata: { messageId: string } }[];
    areMessagesLeft: boolean;
  }>;
}

interface DumboModule {
  dumbo(options: { connectionString: string; pool: Pool }): DumboPool;
}

export const EMMETT_PACKAGE = '@event-driven-io/emmett-postgresql';

export function emmettVersion(): string {
  const file = join(BENCH_DIR, 'node_modules', EMMETT_PACKAGE, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

export class EmmettSystem implements SystemUnderTest {
  readonly key = 'emmett';
  readonly label = 'Emmett (emmett-postgresql)';
  private readonly pool: Pool;
  private readonly dumboPool: DumboPool;
  private readonly emmett: EmmettPostgresModule;
  private readonly store: EmmettEventStore;

  constructor(connectionString: string) {
    this.emmett = fromBench(EMMETT_PACKAGE) as EmmettPostgresModule;
    const { dumbo } = fromBench('@event-driven-io/dumbo') as DumboModule;
    this.pool = newPool(fromBench('pg') as PgModule, connectionString);
    this.dumboPool = dumbo({ connectionString, pool: this.pool });
    this.store = this.emmett.getPostgreSQLEventStore(connectionString, {
      connectionOptions: { dumbo: this.dumboPool },
    });
  }

  async setup(): Promise<void> {
    await this.store.schema.migrate();
  }

  appendNew(append: BenchAppend): Promise<number> {
    return this.appendAt(append, 0);
  }

  async appendAt(append: BenchAppend, expectedVersion: number): Promise<number> {
    await this.store.appendToStream(append.streamId, append.events.map(toEmmett), {
      expectedStreamVersion: BigInt(expectedVersion),
    });
    return append.events.length;
  }

  async readStream(streamId: string): Promise<number> {
    return (await this.store.readStream(streamId)).events.length;
  }

  catchUp(batchSize: number): CatchUpCursor {
    let after = 0n;
    return {
      next: async () => {
        const batch = await this.emmett.readMessagesBatch(this.dumboPool.execute, { after, batchSize });
        after = batch.currentGlobalPosition;
        return {
          count: batch.messages.length,
          done: !batch.areMessagesLeft,
          ids: () => batch.messages.map((m) => m.metadata.messageId),
        };
      },
    };
  }

  async sql(text: string): Promise<Record<string, unknown>[]> {
    return (await this.pool.query(text)).rows;
  }

  async countEvents(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM emt_messages');
    return Number(rows[0]!.n);
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.dumboPool.close();
    await this.pool.end();
  }
}

/** Emmett keeps the event id as `metadata.messageId` (stored in its own column). */
function toEmmett(e: BenchEvent): EmmettEvent {
  return { type: e.type, data: e.data, metadata: { messageId: e.id, ...e.metadata } };
}

export function emmettInstalled(): boolean {
  try {
    fromBench.resolve(EMMETT_PACKAGE);
    return true;
  } catch {
    return false;
  }
}

/**
 * A pool of the product's node-postgres with the store's settings (`eventStorePoolConfig`), as the
 * deployables make theirs; an idle connection cut by the server (the databases are dropped at
 * the end) must not crash the run.
 */
export function storePool(connectionString: string, max: number): Pool {
  const pool = new rootPg.Pool(eventStorePoolConfig(connectionString, { max }));
  pool.on('error', () => undefined);
  return pool;
}

/** The root pg module, for the admin connection. */
export function adminPool(connectionString: string): Pool {
  const pool = new rootPg.Pool({ connectionString, max: 2 });
  pool.on('error', () => undefined);
  return pool;
}
