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
  readonly nextDueAt: EpochMs;
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
 * deadlocks). Entries carry the stream version they were computed from, and an older one never
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
   * The feed's step: the case's entry (or its removal when `entry` is null) and the checkpoint,
   * in one statement, so a restart redoes at most this event. The checkpoint only moves forward
   * (two watchers' feeds may both write it).
   */
  async record(
    caseId: string,
    version: number,
    entry: ScheduleEntry | null,
    position: GlobalPosition,
  ): Promise<void> {
    const at = [position.tx.toString(), position.seq.toString()];
    if (entry === null) {
      await this.db.query(
        `WITH gone AS (
           DELETE FROM sla_watch_schedule WHERE case_id = $1 AND stream_version <= $2 RETURNING 1
         )
         UPDATE sla_watch_checkpoint SET tx = $3::numeric, seq = $4::numeric, updated_at = now()
          WHERE id = 1 AND (tx, seq) < ($3::numeric, $4::numeric)`,
        [caseId, version, ...at],
      );
      return;
    }
    await this.db.query(
      `WITH entry AS (
         INSERT INTO sla_watch_schedule (case_id, stream_version, policy_id, open_clocks, next_due_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (case_id) DO UPDATE
            SET stream_version = EXCLUDED.stream_version, policy_id = EXCLUDED.policy_id,
                open_clocks = EXCLUDED.open_clocks, next_due_at = EXCLUDED.next_due_at,
                updated_at = now()
          WHERE sla_watch_schedule.stream_version <= EXCLUDED.stream_version
         RETURNING 1
       )
       UPDATE sla_watch_checkpoint SET tx = $6::numeric, seq = $7::numeric, updated_at = now()
        WHERE id = 1 AND (tx, seq) < ($6::numeric, $7::numeric)`,
      [entry.caseId, entry.version, entry.policyId, entry.openClocks, dateOf(entry.nextDueAt), ...at],
    );
  }

  /** The feed's step for an event a later one of the same case supersedes: the checkpoint alone. */
  async advance(position: GlobalPosition): Promise<void> {
    await this.db.query(
      `UPDATE sla_watch_checkpoint SET tx = $1::numeric, seq = $2::numeric, updated_at = now()
        WHERE id = 1 AND (tx, seq) < ($1::numeric, $2::numeric)`,
      [position.tx.toString(), position.seq.toString()],
    );
  }

  /**
   * Claims up to `limit` cases due at `now` that nobody holds (or whose holder's lease ran out),
   * earliest first, in ONE statement; rows another watcher is claiming right now are skipped.
   */
  async claim(now: EpochMs, leaseMs: number, watcherId: string, limit: number): Promise<ClaimedCase[]> {
    const { rows } = await this.db.query<{ case_id: string; next_due_at: Date }>(
      `UPDATE sla_watch_schedule SET leased_until = $2, leased_by = $3
        WHERE case_id IN (
          SELECT case_id FROM sla_watch_schedule
           WHERE next_due_at <= $1 AND (leased_until IS NULL OR leased_until < $1)
           ORDER BY next_due_at
           LIMIT $4
             FOR UPDATE SKIP LOCKED)
        RETURNING case_id, next_due_at`,
      [new Date(now), new Date(now + leaseMs), watcherId, limit],
    );
    return rows
      .map((r) => ({ caseId: r.case_id, nextDueAt: r.next_due_at.getTime() }))
      .sort((a, b) => a.nextDueAt - b.nextDueAt);
  }

  /**
   * After the commands: the entry as the case now stands (unless a newer one is there already),
   * and the lease given back. A case with no clock open leaves the schedule.
   */
  async release(
    caseId: string,
    version: number,
    entry: ScheduleEntry | null,
    watcherId: string,
  ): Promise<void> {
    if (entry === null) {
      await this.db.query(
        'DELETE FROM sla_watch_schedule WHERE case_id = $1 AND stream_version <= $2 AND leased_by = $3',
        [caseId, version, watcherId],
      );
    }
    await this.db.query(
      `UPDATE sla_watch_schedule
          SET next_due_at = CASE WHEN stream_version <= $2 THEN $3 ELSE next_due_at END,
              open_clocks = CASE WHEN stream_version <= $2 THEN $4 ELSE open_clocks END,
              policy_id = CASE WHEN stream_version <= $2 THEN $5 ELSE policy_id END,
              stream_version = GREATEST(stream_version, $2),
              leased_until = NULL, leased_by = NULL, updated_at = now()
        WHERE case_id = $1 AND leased_by = $6`,
      [
        caseId,
        version,
        dateOf(entry?.nextDueAt ?? null),
        entry?.openClocks ?? 0,
        entry?.policyId ?? '',
        watcherId,
      ],
    );
  }

  /**
   * After a calendar or catalogue change: when `versions` are newer than those the schedule was
   * last re-timed for, records them and makes every scheduled case due at `now` — in ONE
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
       UPDATE sla_watch_schedule SET next_due_at = $3, updated_at = now()
        WHERE EXISTS (SELECT 1 FROM applied) AND (next_due_at IS NULL OR next_due_at > $3)`,
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
