import type { GlobalPosition } from '@tongban/event-store';
import type { EpochMs } from '@tongban/sla';
import type { ScheduleEntry } from './sla-timers';

/** What the schedule runs its statements on: a pg Pool (each statement autocommits). */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ readonly rows: R[]; readonly rowCount: number | null }>;
}

/** A case claimed by one watcher until `leasedUntil`. */
export interface ClaimedCase {
  readonly caseId: string;
  /** Its own due instant; a case claimed only to be timed again may be due later or never. */
  readonly nextDueAt: EpochMs | null;
}

/** A case's entry as its stream stood at `version`; null when no clock is open (the row goes). */
export interface FedCase {
  readonly caseId: string;
  readonly version: number;
  readonly entry: ScheduleEntry | null;
}

export interface ScheduleStats {
  readonly cases: number;
  readonly clocks: number;
  readonly dueWithinHour: number;
  readonly overdue: number;
}

/**
 * The durable schedule (ADR 0028) in `sla_watch_schedule` and `sla_watch_checkpoint`. Every
 * method is ONE autocommit statement: no transaction is held open while the caller awaits
 * anything else (standalone's PGlite runs every connection over one session, where that
 * deadlocks); batches go in as arrays (`unnest`), one statement for all. Entries carry the stream version they were computed from, and an older one never
 * overwrites a newer one, so the feed and the scanners can write in any order.
 */
export class SlaSchedule {
  constructor(private readonly db: Queryable) {}

  async checkpoint(): Promise<GlobalPosition> {
    const { rows } = await this.db.query<{ tx: string; seq: string }>(
      'SELECT tx::text AS tx, seq::text AS seq FROM sla_watch_checkpoint WHERE id = 1',
    );
    const row = rows[0];
    return row ? { tx: BigInt(row.tx), seq: BigInt(row.seq) } : { tx: 0n, seq: 0n };
  }

  /**
   * The feed's step for a run of events: each case's entry as its stream stood when read (or its
   * removal when `entry` is null), and the checkpoint (the run's last event), in ONE statement, so
   * a restart redoes at most this run. An entry never overwrites one computed from a newer stream
   * version, and the checkpoint only moves forward (two watchers' feeds may both write them).
   */
  async record(
    cases: readonly FedCase[],
    position: GlobalPosition | null,
    db: Queryable = this.db,
  ): Promise<void> {
    if (position === null) {
      // Fed by a broker (ADR 0030): the inbox, in the caller's transaction, keeps the place.
      // Data-modifying WITH parts run to completion whether read or not.
      await db.query(`${ENTRIES} SELECT 1`, columnsOf(cases));
      return;
    }
    await db.query(
      `${ENTRIES}
       UPDATE sla_watch_checkpoint SET tx = $7::numeric, seq = $8::numeric, updated_at = now()
        WHERE id = 1 AND (tx, seq) < ($7::numeric, $8::numeric)`,
      [...columnsOf(cases), position.tx.toString(), position.seq.toString()],
    );
  }

  /**
   * Claims up to `limit` cases that nobody holds (or whose holder's lease ran out), in ONE
   * statement; rows another watcher is claiming right now are skipped. Cases whose own due instant
   * has come go first, earliest first; the rest of the batch is filled with cases waiting only to
   * be timed again on new rules (`retime_at`), so a calendar change never holds back a breach.
   */
  async claim(now: EpochMs, leaseMs: number, watcherId: string, limit: number): Promise<ClaimedCase[]> {
    const { rows } = await this.db.query<{ case_id: string; next_due_at: Date | null }>(
      `WITH due AS (
         SELECT case_id FROM sla_watch_schedule
          WHERE next_due_at <= $1 AND (leased_until IS NULL OR leased_until < $1)
          ORDER BY next_due_at
          LIMIT $4
            FOR UPDATE SKIP LOCKED
       ), retimed AS (
         SELECT case_id FROM sla_watch_schedule
          WHERE retime_at <= $1 AND (leased_until IS NULL OR leased_until < $1)
            AND case_id NOT IN (SELECT case_id FROM due)
          ORDER BY retime_at
          LIMIT greatest(0, $4 - (SELECT count(*) FROM due))
            FOR UPDATE SKIP LOCKED
       )
       UPDATE sla_watch_schedule SET leased_until = $2, leased_by = $3
        WHERE case_id IN (SELECT case_id FROM due UNION ALL SELECT case_id FROM retimed)
        RETURNING case_id, next_due_at`,
      [new Date(now), new Date(now + leaseMs), watcherId, limit],
    );
    const dueAt = (r: { next_due_at: Date | null }): number => {
      const t = r.next_due_at?.getTime();
      return t !== undefined && t <= now ? t : Number.POSITIVE_INFINITY;
    };
    return rows
      .sort((a, b) => dueAt(a) - dueAt(b))
      .map((r) => ({ caseId: r.case_id, nextDueAt: r.next_due_at?.getTime() ?? null }));
  }

  /**
   * The earliest instant at which a case nobody holds is due (its own due instant, or a re-timing
   * waiting), or null when none is: when the scanner should look next. Indexed, one statement.
   */
  async nextDue(now: EpochMs): Promise<EpochMs | null> {
    const { rows } = await this.db.query<{ at: Date | null }>(
      `SELECT least(
         (SELECT min(next_due_at) FROM sla_watch_schedule
           WHERE next_due_at IS NOT NULL AND (leased_until IS NULL OR leased_until < $1)),
         (SELECT min(retime_at) FROM sla_watch_schedule
           WHERE retime_at IS NOT NULL AND (leased_until IS NULL OR leased_until < $1))) AS at`,
      [new Date(now)],
    );
    return rows[0]?.at?.getTime() ?? null;
  }

  /**
   * After the commands of a scan: each case's entry as it now stands (unless a newer one is there
   * already) and the lease given back, for the whole batch in ONE statement. A case with no clock
   * open leaves the schedule. A re-timing asked for at or before `claimedAt` (the scan's instant)
   * is done: the entries were computed on the rules this watcher now has. Answers the cases whose
   * row it wrote (still this watcher's lease): their rows are as new as the entries given, or newer.
   */
  async release(cases: readonly FedCase[], watcherId: string, claimedAt: EpochMs): Promise<Set<string>> {
    if (cases.length === 0) return new Set();
    const { rows } = await this.db.query<{ case_id: string }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::timestamptz[], $6::boolean[])
             AS t(case_id, stream_version, policy_id, open_clocks, next_due_at, gone)
       ), locked AS (
         SELECT case_id FROM sla_watch_schedule
          WHERE case_id IN (SELECT case_id FROM input) AND leased_by = $7
          ORDER BY case_id
            FOR UPDATE
       ), gone AS (
         DELETE FROM sla_watch_schedule s USING input i
          WHERE i.gone AND s.case_id = i.case_id AND s.stream_version <= i.stream_version
            AND s.leased_by = $7 AND s.case_id IN (SELECT case_id FROM locked)
         RETURNING s.case_id
       ), given_back AS (
         UPDATE sla_watch_schedule s
            SET next_due_at = CASE WHEN s.stream_version <= i.stream_version THEN i.next_due_at ELSE s.next_due_at END,
                open_clocks = CASE WHEN s.stream_version <= i.stream_version THEN i.open_clocks ELSE s.open_clocks END,
                policy_id = CASE WHEN s.stream_version <= i.stream_version THEN i.policy_id ELSE s.policy_id END,
                stream_version = GREATEST(s.stream_version, i.stream_version),
                retime_at = CASE WHEN s.retime_at <= $8 THEN NULL ELSE s.retime_at END,
                leased_until = NULL, leased_by = NULL, updated_at = now()
           FROM input i
          WHERE s.case_id = i.case_id AND s.leased_by = $7
            AND s.case_id IN (SELECT case_id FROM locked) AND s.case_id NOT IN (SELECT case_id FROM gone)
         RETURNING s.case_id
       )
       SELECT case_id FROM gone UNION ALL SELECT case_id FROM given_back`,
      [...columnsOf(cases), watcherId, new Date(claimedAt)],
    );
    return new Set(rows.map((r) => r.case_id));
  }

  /**
   * After a calendar or catalogue change: when `versions` are newer than those the schedule was
   * last re-timed for, records them and marks every scheduled case to be timed again from `now`
   * (`retime_at`; claims take it after the cases whose own due instant has come) — in ONE
   * statement, so a crash leaves either both or neither. Versions only move forward: a watcher
   * that has not read the change yet never re-times back. Answers how many cases it made due.
   */
  async retime(
    versions: { readonly calendar: number | null; readonly catalogue: number | null },
    now: EpochMs,
  ): Promise<number> {
    const result = await this.db.query(
      `WITH applied AS (
         UPDATE sla_watch_checkpoint
            SET calendar_version = GREATEST(coalesce(calendar_version, -1), $1),
                catalogue_version = GREATEST(coalesce(catalogue_version, -1), $2)
          WHERE id = 1 AND (coalesce(calendar_version, -1) < $1 OR coalesce(catalogue_version, -1) < $2)
         RETURNING 1
       )
       UPDATE sla_watch_schedule SET retime_at = $3, updated_at = now()
        WHERE EXISTS (SELECT 1 FROM applied)`,
      [versions.calendar ?? -1, versions.catalogue ?? -1, new Date(now)],
    );
    return result.rowCount ?? 0;
  }

  async stats(now: EpochMs): Promise<ScheduleStats> {
    const { rows } = await this.db.query<{
      cases: number;
      clocks: number;
      due_within_hour: number;
      overdue: number;
    }>(
      `SELECT count(*)::int AS cases,
              coalesce(sum(open_clocks), 0)::int AS clocks,
              count(*) FILTER (WHERE next_due_at > $1 AND next_due_at <= $2)::int AS due_within_hour,
              count(*) FILTER (WHERE next_due_at <= $1)::int AS overdue
         FROM sla_watch_schedule`,
      [new Date(now), new Date(now + 3_600_000)],
    );
    const row = rows[0]!;
    return {
      cases: row.cases,
      clocks: row.clocks,
      dueWithinHour: row.due_within_hour,
      overdue: row.overdue,
    };
  }
}

function dateOf(ms: EpochMs | null): Date | null {
  return ms === null ? null : new Date(ms);
}

/**
 * The arrays `unnest` takes apart: case, version, policy, open clocks, next due, gone. (The
 * statements lock the rows they write in `case_id` order — ORDER BY before the INSERT, a FOR
 * UPDATE in order before the release's writes — so two watchers' statements over the same cases
 * wait for each other instead of deadlocking.)
 */
function columnsOf(cases: readonly FedCase[]): unknown[] {
  return [
    cases.map((c) => c.caseId),
    cases.map((c) => c.version),
    cases.map((c) => c.entry?.policyId ?? ''),
    cases.map((c) => c.entry?.openClocks ?? 0),
    cases.map((c) => dateOf(c.entry?.nextDueAt ?? null)),
    cases.map((c) => c.entry === null),
  ];
}

/** A fed run's entries (or removals), never over one computed from a newer stream version. */
const ENTRIES = `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::int[], $5::timestamptz[], $6::boolean[])
             AS t(case_id, stream_version, policy_id, open_clocks, next_due_at, gone)
       ), gone AS (
         DELETE FROM sla_watch_schedule s USING input i
          WHERE i.gone AND s.case_id = i.case_id AND s.stream_version <= i.stream_version
         RETURNING 1
       ), entry AS (
         INSERT INTO sla_watch_schedule (case_id, stream_version, policy_id, open_clocks, next_due_at)
         SELECT case_id, stream_version, policy_id, open_clocks, next_due_at FROM input WHERE NOT gone
          ORDER BY case_id
         ON CONFLICT (case_id) DO UPDATE
            SET stream_version = EXCLUDED.stream_version, policy_id = EXCLUDED.policy_id,
                open_clocks = EXCLUDED.open_clocks, next_due_at = EXCLUDED.next_due_at,
                updated_at = now()
          WHERE sla_watch_schedule.stream_version <= EXCLUDED.stream_version
         RETURNING 1
       )`;
