import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { CalendarClock } from '@tongban/case-handling';
import { CaseError, TIMED_CLOCKS, caseStreamId } from '@tongban/cases';
import { EVENT_STORE, type EventStore } from '@tongban/event-store';
import {
  columnsOf,
  readRow,
  ReadModelConsistency,
  viewSelection,
  type Columns,
  type TableDefinition,
  type ViewRowOf,
} from '@tongban/projections';
import type { Principal } from '@tongban/security';
import {
  caseDetailTable,
  caseTimelineTable,
  decodeCaseEvent,
  referralTable,
  residentCaseTable,
  slaClockTable,
  STAFF_ONLY_EVENT_TYPES,
  worklistTable,
} from '../projections';
import { applyCaseScope } from './case-scope';
import { QUERY_CALENDAR_CLOCK } from './query-time';
import {
  TIMELINE_PAGE,
  type CaseDetailQuery,
  type CaseDetailView,
  type CaseListView,
  type ConsistencyQuery,
  type ContactRevealListView,
  type ListCasesQuery,
  type ReadQuery,
  type ReferralListView,
  type ReferralsQuery,
  type ResidentCaseListView,
  type TimelineEntryView,
  type TimelinePageView,
  type TimelineQuery,
  type WorklistQuery,
  type WorklistView,
  WORKLIST_DUE_SOON_HOURS,
} from './case-queries.dto';
import {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  readConsistently,
  type ConsistencyView,
} from './paging';
import {
  caseDetailFields,
  caseSummaryView,
  referralView,
  residentCaseView,
  slaClockView,
  timelineEntryView,
  worklistItemView,
  type CaseDetailViewRow,
  type ClockTime,
} from './read-views';

export const READ_MODEL_WAIT_MS = Symbol('READ_MODEL_WAIT_MS');

const DEFAULT_LIMIT = 20;

/**
 * The query side of cases: every read goes through the caller's scope, waits for the caller's
 * consistency token, and pages by keyset. Phone and ID numbers are stored masked in the read
 * models, so nothing here can leak them; the one full number answered, the resident's own in
 * their own detail, is read from the event store.
 *
 * Tables and columns come from the read tables' definitions (ADR 0021): `columnsOf` names the
 * columns a condition uses, `viewSelection` selects what a view may show, `readRow` turns the
 * database's row into the definition's, and the functions in read-views.ts make the answer.
 * TypeORM's query builder composes the conditions and numbers the parameters; there are no
 * entities.
 */
@Injectable()
export class CaseReads {
  constructor(
    private readonly data: DataSource,
    private readonly consistency: ReadModelConsistency,
    @Inject(READ_MODEL_WAIT_MS) private readonly waitMs: number,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    /** The calendar and clock SLA time is counted on at query time (ADR 0029). */
    @Inject(QUERY_CALENDAR_CLOCK) private readonly calendarClock: CalendarClock,
  ) {}

  private clockTime(): ClockTime {
    return { now: this.calendarClock.now().getTime(), calendar: this.calendarClock.calendar() };
  }

  async list(principal: Principal, query: ListCasesQuery): Promise<CaseListView> {
    const consistency = await this.consistent(['case_detail'], query);
    const c = columnsOf(caseDetailTable, 'c');
    const qb = applyCaseScope(this.select(caseDetailTable, 'c'), principal);
    if (query.status?.length) qb.andWhere(`${c.status} IN (:...statuses)`, { statuses: query.status });
    if (query.street) qb.andWhere(`${c.street_code} = :street`, { street: query.street });
    if (query.community)
      qb.andWhere(`${c.scope_units} @> ARRAY[:community]::text[]`, { community: query.community });
    if (query.owner) {
      qb.andWhere(`(${c.owner_id} = :owner OR ${c.designated_owner_id} = :owner)`, { owner: query.owner });
    }
    if (query.matter) qb.andWhere(`${c.matter_code} = :matter`, { matter: query.matter });
    if (query.channel) qb.andWhere(`${c.channel} = :channel`, { channel: query.channel });
    if (query.overdue !== undefined) {
      // No due time is not overdue (a bare comparison with NULL would drop those rows from both answers).
      const overdue = `(${c.overdue} OR COALESCE(${c.next_due_at} < now(), false))`;
      qb.andWhere(query.overdue ? overdue : `NOT ${overdue}`);
    }
    // As instants, not text: ISO 8601 allows offsets up to ±23:59, PostgreSQL's parser only ±15:59.
    if (query.submittedFrom)
      qb.andWhere(`${c.submitted_at} >= :from`, { from: new Date(query.submittedFrom) });
    if (query.submittedTo) qb.andWhere(`${c.submitted_at} < :to`, { to: new Date(query.submittedTo) });

    const sort = query.sort ?? '-submitted';
    const cursor = decodeCursor(query.cursor, 'uuid');
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (sort === 'due') {
      // No due time sorts last: 'infinity' is a timestamptz every real time is before.
      const key = `COALESCE(${c.next_due_at}, 'infinity'::timestamptz)`;
      if (cursor) {
        qb.andWhere(`(${key}, ${c.case_id}) > (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`, {
          cv: cursor.value ?? 'infinity',
          cid: cursor.id,
        });
      }
      qb.orderBy(key, 'ASC').addOrderBy(c.case_id, 'ASC');
    } else {
      const direction = sort === 'submitted' ? 'ASC' : 'DESC';
      if (cursor) {
        qb.andWhere(
          `(${c.submitted_at}, ${c.case_id}) ${direction === 'ASC' ? '>' : '<'} (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`,
          { cv: cursor.value, cid: cursor.id },
        );
      }
      qb.orderBy(c.submitted_at, direction).addOrderBy(c.case_id, direction);
    }
    const rows = await page(qb, caseDetailTable, limit);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map(caseSummaryView),
      nextCursor:
        rows.more && last
          ? encodeCursor({
              value: sort === 'due' ? last.next_due_at : last.submitted_at,
              id: last.case_id,
            })
          : null,
      consistency,
    };
  }

  async detail(principal: Principal, caseId: string, query: CaseDetailQuery): Promise<CaseDetailView> {
    const consistency = await this.consistent(['case_detail', 'case_timeline', 'sla_clocks'], query);
    const row = await this.caseInScope(principal, caseId);
    const k = columnsOf(slaClockTable, 'k');
    const [timeline, clocks] = await Promise.all([
      this.timelinePage(principal, row.case_id, 0, query.timelineLimit ?? TIMELINE_PAGE.default),
      this.select(slaClockTable, 'k')
        .where(`${k.case_id} = :caseId`, { caseId: row.case_id })
        .getRawMany<Record<string, unknown>>(),
    ]);
    const summary = caseSummaryView(row);
    const time = this.clockTime();
    return {
      ...summary,
      // The resident who filed sees their own number; everyone else reads it masked.
      ...(principal.role === 'resident'
        ? { resident: { ...summary.resident, phone: await this.ownPhone(row.case_id) } }
        : {}),
      ...caseDetailFields(row),
      timeline: timeline.items,
      timelineNextCursor: timeline.nextCursor,
      // In the order a case meets them: dispatch, response, resolution, feedback window.
      slaClocks: clocks
        .map((raw) => slaClockView(readRow(slaClockTable, raw), time))
        .sort((a, b) => TIMED_CLOCKS.indexOf(a.clock) - TIMED_CLOCKS.indexOf(b.clock)),
      consistency,
    };
  }

  /** The timeline after the detail's first page: same scope, keyset by version, oldest first. */
  async timelineOf(principal: Principal, caseId: string, query: TimelineQuery): Promise<TimelinePageView> {
    const consistency = await this.consistent(['case_detail', 'case_timeline'], query);
    const row = await this.caseInScope(principal, caseId);
    const cursor = decodeCursor(query.cursor, 'timeline');
    let after = 0;
    if (cursor) {
      const [cursorCase, version] = cursor.id.split('/');
      if (cursorCase !== row.case_id) {
        throw new InvalidCursorError('The cursor pages another case’s timeline; start again without it.', [
          { field: 'cursor', reason: 'invalid', message: 'use the nextCursor of this case’s timeline' },
        ]);
      }
      after = Number(version);
    }
    const page = await this.timelinePage(principal, row.case_id, after, query.limit ?? TIMELINE_PAGE.default);
    return { ...page, consistency };
  }

  /**
   * The full number as filed, for the resident's own detail: from the case's `case.submitted` in
   * the store, as read models keep it masked only.
   */
  private async ownPhone(caseId: string): Promise<string> {
    const [first] = await this.store.readStream(caseStreamId(caseId), { maxCount: 1 });
    const submitted = first === undefined ? undefined : decodeCaseEvent(first);
    if (submitted?.type !== 'case.submitted') throw new Error(`Case ${caseId} has no submission`);
    return submitted.resident.phone;
  }

  /** Out of scope answers exactly like missing: ids cannot be probed. */
  private async caseInScope(principal: Principal, caseId: string): Promise<CaseDetailViewRow> {
    const raw = await applyCaseScope(this.select(caseDetailTable, 'c'), principal)
      .andWhere(`${columnsOf(caseDetailTable, 'c').case_id} = :caseId`, { caseId })
      .getRawOne<Record<string, unknown>>();
    if (!raw) throw new CaseError('case.not_found', `No case ${caseId}.`);
    return readRow(caseDetailTable, raw);
  }

  /** A query over one read table, selecting the columns its views may show. */
  private select(definition: TableDefinition, alias: string): SelectQueryBuilder<Record<string, unknown>> {
    return this.data
      .createQueryBuilder()
      .select(viewSelection(definition, alias))
      .from(definition.table, alias);
  }

  private async timelinePage(
    principal: Principal,
    caseId: string,
    afterVersion: number,
    limit: number,
  ): Promise<{ items: TimelineEntryView[]; nextCursor: string | null }> {
    // Residents see what happened and when, not the staff's ids or internal notes, nor the
    // staff-only records (who was shown their phone number).
    const resident = principal.role === 'resident';
    const t = columnsOf(caseTimelineTable, 't');
    const qb = this.select(caseTimelineTable, 't')
      .where(`${t.case_id} = :caseId`, { caseId })
      .andWhere(`${t.version} > :after`, { after: afterVersion })
      .orderBy(t.version, 'ASC');
    if (resident) qb.andWhere(`${t.type} NOT IN (:...staffOnly)`, { staffOnly: STAFF_ONLY_EVENT_TYPES });
    const rows = await page(qb, caseTimelineTable, limit);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map((row): TimelineEntryView => timelineEntryView(row, resident)),
      nextCursor: rows.more && last ? encodeCursor({ value: null, id: `${caseId}/${last.version}` }) : null,
    };
  }

  async mine(principal: Principal, query: ReadQuery): Promise<ResidentCaseListView> {
    const consistency = await this.consistent(['resident_cases'], query);
    const cursor = decodeCursor(query.cursor, 'uuid');
    const r = columnsOf(residentCaseTable, 'r');
    const qb = this.select(residentCaseTable, 'r').where(`${r.submitter_id} = :me`, { me: principal.id });
    if (cursor) {
      qb.andWhere(`(${r.submitted_at}, ${r.case_id}) < (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`, {
        cv: cursor.value,
        cid: cursor.id,
      });
    }
    qb.orderBy(r.submitted_at, 'DESC').addOrderBy(r.case_id, 'DESC');
    const rows = await page(qb, residentCaseTable, query.limit ?? DEFAULT_LIMIT);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map(residentCaseView),
      nextCursor: rows.more && last ? encodeCursor({ value: last.submitted_at, id: last.case_id }) : null,
      consistency,
    };
  }

  async worklistOf(principal: Principal, query: WorklistQuery): Promise<WorklistView> {
    const consistency = await this.consistent(['worklist'], query);
    const cursor = decodeCursor(query.cursor, 'uuid');
    const w = columnsOf(worklistTable, 'w');
    const key = `COALESCE(${w.next_due_at}, 'infinity'::timestamptz)`;
    const qb = this.select(worklistTable, 'w').where(`${w.cadre_id} = :me`, { me: principal.id });
    // Against the application's clock (the one the SLA watcher runs on), not the database's.
    const now = this.calendarClock.now();
    if (query.due === 'overdue') qb.andWhere(`${w.next_due_at} < :now`, { now });
    if (query.due === 'soon') {
      qb.andWhere(`${w.next_due_at} >= :now AND ${w.next_due_at} < :soon`, {
        now,
        soon: new Date(now.getTime() + WORKLIST_DUE_SOON_HOURS * 3_600_000),
      });
    }
    if (cursor) {
      qb.andWhere(`(${key}, ${w.case_id}) > (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`, {
        cv: cursor.value ?? 'infinity',
        cid: cursor.id,
      });
    }
    qb.orderBy(key, 'ASC').addOrderBy(w.case_id, 'ASC');
    const rows = await page(qb, worklistTable, query.limit ?? DEFAULT_LIMIT);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map(worklistItemView),
      nextCursor: rows.more && last ? encodeCursor({ value: last.next_due_at, id: last.case_id }) : null,
      consistency,
    };
  }

  async referralsOf(principal: Principal, query: ReferralsQuery): Promise<ReferralListView> {
    const consistency = await this.consistent(['referrals'], query);
    const cursor = decodeCursor(query.cursor, 'referral');
    const f = columnsOf(referralTable, 'f');
    const qb = this.select(referralTable, 'f')
      .where(`${f.to_org_unit} = :unit`, { unit: principal.orgUnit ?? '' })
      .andWhere(`${f.status} = :status`, { status: query.status ?? 'open' });
    // Oldest first: a queue is worked from the front. The id tie-break is (case, referral).
    const tie = `(${f.case_id}::text || '/' || ${f.referral_id})`;
    if (cursor) {
      qb.andWhere(`(${f.referred_at}, ${tie}) > (CAST(:cv AS timestamptz), CAST(:cid AS text))`, {
        cv: cursor.value,
        cid: cursor.id,
      });
    }
    qb.orderBy(f.referred_at, 'ASC').addOrderBy(tie, 'ASC');
    const rows = await page(qb, referralTable, query.limit ?? DEFAULT_LIMIT);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map(referralView),
      nextCursor:
        rows.more && last
          ? encodeCursor({ value: last.referred_at, id: `${last.case_id}/${last.referral_id}` })
          : null,
      consistency,
    };
  }

  /**
   * The recorded reveals of residents' phone numbers (ADR 0014) across the cases in the caller's
   * scope, newest first: who asked, when, on which case and why. From the staff timeline (the
   * reveal is an event of the case), scoped by the case's detail row like every case query.
   */
  async revealsOf(principal: Principal, query: ReadQuery): Promise<ContactRevealListView> {
    const consistency = await this.consistent(['case_timeline', 'case_detail'], query);
    const cursor = decodeCursor(query.cursor, 'timeline');
    const t = columnsOf(caseTimelineTable, 't');
    const c = columnsOf(caseDetailTable, 'c');
    const qb = this.data
      .createQueryBuilder()
      .select([
        `${t.case_id} AS case_id`,
        `${t.version} AS version`,
        `${t.at} AS at`,
        `${t.actor_id} AS actor_id`,
        `${t.actor_role} AS actor_role`,
        `${t.actor_org_unit} AS actor_org_unit`,
        `${t.changes} ->> 'reason' AS reason`,
        `${c.case_number} AS case_number`,
        `${c.title} AS title`,
      ])
      .from(caseTimelineTable.table, 't')
      .innerJoin(caseDetailTable.table, 'c', `${c.case_id} = ${t.case_id}`)
      .where(`${t.type} = :type`, { type: 'case.contact_revealed' });
    applyCaseScope(qb, principal, 'c');
    if (cursor) {
      const [caseId, version] = cursor.id.split('/');
      qb.andWhere(
        `(${t.at}, ${t.case_id}, ${t.version}) < (CAST(:cv AS timestamptz), CAST(:cid AS uuid), :cver)`,
        {
          cv: cursor.value,
          cid: caseId,
          cver: Number(version),
        },
      );
    }
    qb.orderBy(t.at, 'DESC').addOrderBy(t.case_id, 'DESC').addOrderBy(t.version, 'DESC');
    const { items, more } = await pageOf(query.limit ?? DEFAULT_LIMIT, (take) =>
      qb.limit(take).getRawMany<RevealRow>(),
    );
    const last = items[items.length - 1];
    return {
      items: items.map((r) => ({
        caseId: r.case_id,
        caseNumber: r.case_number,
        title: r.title,
        revealedAt: new Date(r.at).toISOString(),
        revealedBy: {
          id: r.actor_id,
          role: r.actor_role,
          orgUnit: r.actor_org_unit,
        },
        reason: r.reason ?? '',
        version: r.version,
      })),
      nextCursor:
        more && last
          ? encodeCursor({ value: new Date(last.at).toISOString(), id: `${last.case_id}/${last.version}` })
          : null,
      consistency,
    };
  }

  private consistent(projections: readonly string[], query: ConsistencyQuery): Promise<ConsistencyView> {
    return readConsistently(this.consistency, projections, query.after, this.waitMs);
  }
}

/** A reveal as the list query reads it (raw: the timeline row joined with its case). */
interface RevealRow {
  readonly case_id: string;
  readonly version: number;
  readonly at: Date | string;
  readonly actor_id: string;
  readonly actor_role: string;
  readonly actor_org_unit: string | null;
  readonly reason: string | null;
  readonly case_number: string;
  readonly title: string;
}

/** One page of a table's rows, in the definition's form. */
async function page<C extends Columns>(
  qb: SelectQueryBuilder<Record<string, unknown>>,
  definition: TableDefinition<C>,
  limit: number,
): Promise<{ items: ViewRowOf<TableDefinition<C>>[]; more: boolean }> {
  const { items, more } = await pageOf(limit, (take) => qb.limit(take).getRawMany<Record<string, unknown>>());
  return { items: items.map((raw) => readRow(definition, raw)), more };
}

/** One page of at most `limit` rows, read as one more than that to know whether another follows. */
async function pageOf<R>(
  limit: number,
  read: (take: number) => Promise<R[]>,
): Promise<{ items: R[]; more: boolean }> {
  const rows = await read(limit + 1);
  return { items: rows.slice(0, limit), more: rows.length > limit };
}
