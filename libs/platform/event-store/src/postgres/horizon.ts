import type { Pool } from 'pg';

/**
 * What holds the readers of the global log back (issue 11). Readers read only below the oldest
 * transaction still running in the CLUSTER (ADR 0002), so one transaction left open anywhere —
 * in another database, by another application, or prepared for two-phase commit and never
 * resolved — keeps every event committed after it invisible to projections, the relay and
 * read-your-writes. Nothing is lost; everything waits.
 */
export interface HorizonStatus {
  /** Committed events the readers cannot see yet. */
  readonly heldEvents: number;
  /** How long the oldest of them has been waiting, in seconds (0 when none). */
  readonly heldSeconds: number;
  /** The transaction at the horizon, when it is not a short one of our own. */
  readonly blocker: HorizonBlocker | null;
}

/** Who to ask (no query text: it may hold personal data). */
export interface HorizonBlocker {
  readonly kind: 'backend' | 'prepared';
  /** The backend's pid; null for a prepared transaction, which has none. */
  readonly pid: number | null;
  /** `application_name` of the backend, or the prepared transaction's global id. */
  readonly name: string | null;
  /** `active`, `idle in transaction`…, or `prepared`; null when the role may not see it. */
  readonly state: string | null;
  readonly database: string | null;
  /** How long its transaction has been open, in seconds; null when the role may not see it. */
  readonly ageSeconds: number | null;
}

/**
 * Reads it in one round trip. The blocker is the backend (or prepared transaction) whose
 * transaction id is the snapshot's xmin; `pg_stat_activity` shows other roles' state and
 * transaction start only to roles with `pg_read_all_stats` (grant `pg_monitor` to the store's
 * role in production), and `pg_prepared_xacts` to everyone.
 */
export async function readHorizon(pool: Pool, schema = 'tongban_es'): Promise<HorizonStatus> {
  const { rows } = await pool.query<{
    held_events: string;
    held_seconds: number | null;
    kind: 'backend' | 'prepared' | null;
    pid: number | null;
    name: string | null;
    state: string | null;
    database: string | null;
    age_seconds: number | null;
  }>(
    `WITH horizon AS (
       SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin,
              (pg_snapshot_xmin(pg_current_snapshot())::text::numeric % 4294967296)::text AS xid
     ),
     held AS (
       SELECT count(*) AS events,
              extract(epoch FROM clock_timestamp() - min(e.recorded_at))::float8 AS seconds
         FROM ${schema}.events e, horizon h
        WHERE e.tx >= h.xmin
     ),
     blocker AS (
       SELECT 'backend'::text AS kind, a.pid, a.application_name AS name, a.state,
              a.datname::text AS database,
              extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS age_seconds
         FROM pg_stat_activity a, horizon h
        WHERE a.backend_xid::text = h.xid
       UNION ALL
       SELECT 'prepared', NULL, p.gid, 'prepared', p.database::text,
              extract(epoch FROM clock_timestamp() - p.prepared)::float8
         FROM pg_prepared_xacts p, horizon h
        WHERE p.transaction::text = h.xid
     )
     SELECT held.events AS held_events, held.seconds AS held_seconds, b.*
       FROM held LEFT JOIN (SELECT * FROM blocker LIMIT 1) b ON true`,
  );
  const row = rows[0]!;
  const heldEvents = Number(row.held_events);
  return {
    heldEvents,
    heldSeconds: heldEvents > 0 ? Math.max(0, row.held_seconds ?? 0) : 0,
    blocker:
      row.kind === null
        ? null
        : {
            kind: row.kind,
            pid: row.pid,
            name: row.name,
            state: row.state,
            database: row.database,
            ageSeconds: row.age_seconds,
          },
  };
}

/** The blocker in words, for readiness and the log. */
export function describeBlocker(blocker: HorizonBlocker | null): string {
  if (!blocker) return 'a transaction this role cannot see (grant pg_monitor to name it)';
  const age = blocker.ageSeconds === null ? 'for an unknown time' : `for ${Math.round(blocker.ageSeconds)} s`;
  if (blocker.kind === 'prepared') {
    return `prepared transaction '${blocker.name ?? '?'}' in database ${blocker.database ?? '?'}, open ${age} (COMMIT PREPARED or ROLLBACK PREPARED it)`;
  }
  return (
    `backend pid ${blocker.pid ?? '?'} (application_name '${blocker.name ?? ''}', ` +
    `${blocker.state ?? 'state hidden'}, database ${blocker.database ?? '?'}), its transaction open ${age}`
  );
}
