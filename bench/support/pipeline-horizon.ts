import { percentiles, type Percentiles } from './standalone-load';
import { round } from './stats';
import type { Pool } from './systems';

/**
 * The visibility horizon while the pipeline runs. Readers of the global log (the relay) see an
 * event only once every transaction older than it has ended in the whole CLUSTER (ADR 0002), so a
 * write transaction left open in another database of the same server — another engineer's tests
 * on a shared PostgreSQL — delays every event behind it, however idle our own processes are. A
 * run on a shared server therefore samples the horizon, so that the report can tell the
 * pipeline's own latency from the time events waited for somebody else's transaction.
 */
export interface HorizonFigures {
  readonly samples: number;
  readonly intervalMs: number;
  /**
   * Per sample: how long the oldest committed event of our store that the readers cannot see yet
   * has been waiting (0 when none), ms.
   */
  readonly heldMs: Percentiles;
  /** Samples in which an event had waited more than 100 ms. */
  readonly heldOver100MsShare: number;
  /** Samples in which another database had a write transaction open for more than 100 ms. */
  readonly otherOpenOver100MsShare: number;
  /** The longest such transaction seen, ms. */
  readonly otherOpenMaxMs: number;
  /** Which databases (and applications) held those, by the count of samples. */
  readonly otherHolders: Record<string, number>;
  /** Samples in which a backend of the run's own database had a write transaction open for more than 100 ms. */
  readonly ownOpenOver100MsShare: number;
  readonly ownOpenMaxMs: number;
  /** Which (application, state, statement) held those, by the count of samples. */
  readonly ownHolders: Record<string, number>;
}

export interface HorizonSampler {
  stop(): Promise<HorizonFigures>;
}

/** Samples every `intervalMs` on `pool` (a database with the event store) until stop(). */
export function sampleHorizon(pool: Pool, intervalMs = 100): HorizonSampler {
  const held: number[] = [];
  const other: number[] = [];
  const holders: Record<string, number> = {};
  const own: number[] = [];
  const ownHolders: Record<string, number> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const { rows } = await pool.query<{
          held: number | null;
          other: number | null;
          who: string | null;
          own: number | null;
          ownWho: string | null;
        }>(
          `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
                w AS (
                  SELECT a.datname IS NOT DISTINCT FROM current_database() AS ours,
                         CASE WHEN a.datname IS NOT DISTINCT FROM current_database()
                              THEN coalesce(nullif(a.application_name, ''), '?') || ', ' || coalesce(a.state, '?') ||
                                   coalesce(', waiting for ' || a.wait_event_type || ':' || a.wait_event, '') || ': ' ||
                                   left(regexp_replace(coalesce(a.query, ''), '\\s+', ' ', 'g'), 60)
                              ELSE a.datname::text || ' (' || coalesce(nullif(a.application_name, ''), '?') || ')'
                         END AS who,
                         extract(epoch FROM clock_timestamp() - a.xact_start)::float8 * 1000 AS ms
                    FROM pg_stat_activity a
                   WHERE a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid()),
                o AS (SELECT who, ms FROM w WHERE NOT ours ORDER BY ms DESC LIMIT 1),
                m AS (SELECT who, ms FROM w WHERE ours ORDER BY ms DESC LIMIT 1)
           SELECT (SELECT extract(epoch FROM clock_timestamp() - min(e.recorded_at))::float8 * 1000
                     FROM tongban_es.events e, h WHERE e.tx >= h.xmin) AS held,
                  (SELECT ms FROM o) AS other, (SELECT who FROM o) AS who,
                  (SELECT ms FROM m) AS own, (SELECT who FROM m) AS "ownWho"`,
        );
        const row = rows[0];
        held.push(Math.max(0, row?.held ?? 0));
        const ms = Math.max(0, row?.other ?? 0);
        other.push(ms);
        if (ms > 100 && row?.who) holders[row.who] = (holders[row.who] ?? 0) + 1;
        const mine = Math.max(0, row?.own ?? 0);
        own.push(mine);
        if (mine > 100 && row?.ownWho) ownHolders[row.ownWho] = (ownHolders[row.ownWho] ?? 0) + 1;
      } catch {
        // the database is being set up or dropped: no sample
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const share = (values: readonly number[]): number =>
        values.length === 0 ? 0 : round(values.filter((v) => v > 100).length / values.length, 3);
      return {
        samples: held.length,
        intervalMs,
        heldMs: percentiles(held),
        heldOver100MsShare: share(held),
        otherOpenOver100MsShare: share(other),
        otherOpenMaxMs: round(Math.max(0, ...other), 1),
        otherHolders: holders,
        ownOpenOver100MsShare: share(own),
        ownOpenMaxMs: round(Math.max(0, ...own), 1),
        ownHolders,
      };
    },
  };
}
