import type { Pool } from 'pg';
import type { GlobalPosition } from '@tongban/event-store';

export interface RelayCheckpoint {
  readonly position: GlobalPosition;
  readonly eventsRelayed: number;
}

/**
 * The relay's rows in `relay_leases` and `relay_checkpoints` (RELAY_MIGRATIONS). Every method is
 * ONE autocommit statement, timed by the database's clock, so the instances' own clocks never
 * decide who holds the lease.
 */
export class RelayTables {
  constructor(
    private readonly pool: Pool,
    private readonly name: string,
  ) {}

  /**
   * Takes the lease when nobody holds it or its holder let it lapse, or extends it when `holder`
   * holds it already. True when `holder` holds it for `leaseMs` from the statement's start.
   */
  async acquire(holder: string, leaseMs: number): Promise<boolean> {
    const { rows } = await this.pool.query(
      `INSERT INTO relay_leases AS l (name, holder, expires_at)
       VALUES ($1, $2, now() + $3 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE l.holder = EXCLUDED.holder OR l.expires_at < now()
       RETURNING holder`,
      [this.name, holder, leaseMs],
    );
    return rows.length === 1;
  }

  /** Gives the lease up at once, so a standby takes over without waiting for it to lapse. */
  async release(holder: string): Promise<void> {
    await this.pool.query('DELETE FROM relay_leases WHERE name = $1 AND holder = $2', [this.name, holder]);
  }

  /** Who holds the lease now (null when nobody does or it lapsed). */
  async holder(): Promise<string | null> {
    const { rows } = await this.pool.query<{ holder: string }>(
      'SELECT holder FROM relay_leases WHERE name = $1 AND expires_at >= now()',
      [this.name],
    );
    return rows[0]?.holder ?? null;
  }

  /** The checkpoint, created at the beginning of the log the first time. */
  async checkpoint(): Promise<RelayCheckpoint> {
    const { rows } = await this.pool.query<{ tx: string; seq: string; events_relayed: string }>(
      `WITH created AS (
         INSERT INTO relay_checkpoints (name, position_tx, position_seq) VALUES ($1, 0, 0)
         ON CONFLICT (name) DO NOTHING
         RETURNING position_tx, position_seq, events_relayed
       )
       SELECT position_tx::text AS tx, position_seq::text AS seq, events_relayed::text FROM created
       UNION ALL
       SELECT position_tx::text, position_seq::text, events_relayed::text FROM relay_checkpoints WHERE name = $1`,
      [this.name],
    );
    const row = rows[0];
    if (!row) return { position: { tx: 0n, seq: 0n }, eventsRelayed: 0 };
    return {
      position: { tx: BigInt(row.tx), seq: BigInt(row.seq) },
      eventsRelayed: Number(row.events_relayed),
    };
  }

  /**
   * Moves the checkpoint to `position` after the broker acknowledged everything up to it — only
   * while `holder` still holds an unexpired lease, and only forwards. False when the lease is
   * gone: the caller stops publishing (what it published meanwhile is published again by the
   * next holder; consumers dedupe on the event id).
   */
  async advance(holder: string, position: GlobalPosition, relayed: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE relay_checkpoints c
          SET position_tx = $3::numeric, position_seq = $4::numeric,
              events_relayed = c.events_relayed + $5, updated_at = now()
         FROM relay_leases l
        WHERE c.name = $1 AND l.name = $1 AND l.holder = $2 AND l.expires_at >= now()
          AND (c.position_tx, c.position_seq) <= ($3::numeric, $4::numeric)`,
      [this.name, holder, position.tx.toString(), position.seq.toString(), relayed],
    );
    return result.rowCount === 1;
  }
}
