import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository, SelectQueryBuilder } from 'typeorm';
import {
  CASE_EVENT_TYPES,
  CaseError,
  caseStreamId,
  CASE_EVENT_CODEC,
  type CaseEventType,
} from '@tongban/cases';
import { maskPersonalDataInText } from '@tongban/logging';
import { EVENT_STORE, formatPosition, parsePosition, type EventStore } from '@tongban/event-store';
import { ReadModelConsistency } from '@tongban/projections';
import type { Principal } from '@tongban/security';
import {
  CaseDetailEntity,
  CaseTimelineEntity,
  ReferralEntity,
  ResidentCaseEntity,
  SlaClockEntity,
  WorklistEntity,
} from '../persistence';
import { decodeCaseEvent, STAFF_ONLY_EVENT_TYPES, timelineSummary } from '../projections';
import { applyCaseScope } from './case-scope';
import {
  TIMELINE_PAGE,
  type CaseDetailQuery,
  type CaseDetailView,
  type CaseListView,
  type CaseSummaryView,
  type ConsistencyQuery,
  type ContactRevealListView,
  type ListCasesQuery,
  type ReadQuery,
  type ReferralListView,
  type ReferralsQuery,
  type ResidentCaseListView,
  type SlaClockView,
  type TimelineEntryView,
  type TimelinePageView,
  type TimelineQuery,
  type WorklistView,
} from './case-queries.dto';
import {
  decodeCursor,
  encodeCursor,
  InvalidCursorError,
  readConsistently,
  type ConsistencyView,
} from './paging';

export const READ_MODEL_WAIT_MS = Symbol('READ_MODEL_WAIT_MS');

const DEFAULT_LIMIT = 20;

/**
 * The query side of cases: every read goes through the caller's scope, waits for the caller's
 * consistency token, and pages by keyset. Phone and ID numbers are stored masked in the read
 * models, so nothing here can leak them; the one full number answered, the resident's own in
 * their own detail, is read from the event store.
 */
@Injectable()
export class CaseReads {
  constructor(
    @InjectRepository(CaseDetailEntity) private readonly cases: Repository<CaseDetailEntity>,
    @InjectRepository(CaseTimelineEntity) private readonly timeline: Repository<CaseTimelineEntity>,
    @InjectRepository(SlaClockEntity) private readonly clocks: Repository<SlaClockEntity>,
    @InjectRepository(ResidentCaseEntity) private readonly residentCases: Repository<ResidentCaseEntity>,
    @InjectRepository(WorklistEntity) private readonly worklist: Repository<WorklistEntity>,
    @InjectRepository(ReferralEntity) private readonly referrals: Repository<ReferralEntity>,
    private readonly consistency: ReadModelConsistency,
    @Inject(READ_MODEL_WAIT_MS) private readonly waitMs: number,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async list(principal: Principal, query: ListCasesQuery): Promise<CaseListView> {
    const consistency = await this.consistent(['case_detail'], query);
    const qb = applyCaseScope(this.cases.createQueryBuilder('c'), principal);
    if (query.status?.length) qb.andWhere('c.status IN (:...statuses)', { statuses: query.status });
    if (query.street) qb.andWhere('c.streetCode = :street', { street: query.street });
    if (query.community)
      qb.andWhere('c.scopeUnits @> ARRAY[:community]::text[]', { community: query.community });
    if (query.owner) {
      qb.andWhere('(c.ownerId = :owner OR c.designatedOwnerId = :owner)', { owner: query.owner });
    }
    if (query.matter) qb.andWhere('c.matterCode = :matter', { matter: query.matter });
    if (query.channel) qb.andWhere('c.channel = :channel', { channel: query.channel });
    if (query.overdue !== undefined) {
      // No due time is not overdue (a bare comparison with NULL would drop those rows from both answers).
      const overdue = `(c.overdue OR COALESCE(c.nextDueAt < now(), false))`;
      qb.andWhere(query.overdue ? overdue : `NOT ${overdue}`);
    }
    // As instants, not text: ISO 8601 allows offsets up to ±23:59, PostgreSQL's parser only ±15:59.
    if (query.submittedFrom) qb.andWhere('c.submittedAt >= :from', { from: new Date(query.submittedFrom) });
    if (query.submittedTo) qb.andWhere('c.submittedAt < :to', { to: new Date(query.submittedTo) });

    const sort = query.sort ?? '-submitted';
    const cursor = decodeCursor(query.cursor, 'uuid');
    const limit = query.limit ?? DEFAULT_LIMIT;
    if (sort === 'due') {
      // No due time sorts last: 'infinity' is a timestamptz every real time is before.
      const key = `COALESCE("c"."next_due_at", 'infinity'::timestamptz)`;
      if (cursor) {
        qb.andWhere(`(${key}, "c"."case_id") > (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`, {
          cv: cursor.value ?? 'infinity',
          cid: cursor.id,
        });
      }
      qb.orderBy(key, 'ASC').addOrderBy('"c"."case_id"', 'ASC');
    } else {
      const direction = sort === 'submitted' ? 'ASC' : 'DESC';
      if (cursor) {
        qb.andWhere(
          `("c"."submitted_at", "c"."case_id") ${direction === 'ASC' ? '>' : '<'} (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`,
          { cv: cursor.value, cid: cursor.id },
        );
      }
      qb.orderBy('"c"."submitted_at"', direction).addOrderBy('"c"."case_id"', direction);
    }
    const rows = await page(qb, limit);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map(summaryOf),
      nextCursor:
        rows.more && last
          ? encodeCursor({
              value: sort === 'due' ? iso(last.nextDueAt) : iso(last.submittedAt),
              id: last.caseId,
            })
          : null,
      consistency,
    };
  }

  async detail(principal: Principal, caseId: string, query: CaseDetailQuery): Promise<CaseDetailView> {
    const consistency = await this.consistent(['case_detail', 'case_timeline', 'sla_clocks'], query);
    const row = await this.caseInScope(principal, caseId);
    const [timeline, clocks] = await Promise.all([
      this.timelinePage(principal, row.caseId, 0, query.timelineLimit ?? TIMELINE_PAGE.default),
      this.clocks.find({ where: { caseId }, order: { clock: 'DESC' } }),
    ]);
    const summary = summaryOf(row);
    return {
      ...summary,
      // The resident who filed sees their own number; everyone else reads it masked.
      ...(principal.role === 'resident'
        ? { resident: { ...summary.resident, phone: await this.ownPhone(row.caseId) } }
        : {}),
      description: row.description,
      address: row.address,
      gridCode: row.gridCode,
      latitude: row.latitude,
      longitude: row.longitude,
      attachments: row.attachments,
      handoverToId: row.handoverToId,
      openReferrals: row.openReferrals,
      responseDueAt: iso(row.responseDueAt),
      resolutionDueAt: iso(row.resolutionDueAt),
      firstContactAt: iso(row.firstContactAt),
      resolvedAt: iso(row.resolvedAt),
      closedAt: iso(row.closedAt),
      satisfaction: row.satisfaction,
      solved: row.solved,
      returnCount: row.returnCount,
      reopenCount: row.reopenCount,
      supervisionCount: row.supervisionCount,
      ruledUnreasonable: row.ruledUnreasonable,
      mergedInto: row.mergedInto,
      timeline: timeline.items,
      timelineNextCursor: timeline.nextCursor,
      slaClocks: clocks.map((c): SlaClockView => ({
        clock: c.clock,
        status: c.status,
        startedAt: c.startedAt.toISOString(),
        stoppedAt: iso(c.stoppedAt),
        dueAt: iso(c.dueAt),
        pauseCount: c.pauseCount,
        pausedMs: Number(c.pausedMs),
        extensionDays: c.extensionDays,
        warnedAt: iso(c.warnedAt),
        breachedAt: iso(c.breachedAt),
      })),
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
      if (cursorCase !== row.caseId) {
        throw new InvalidCursorError('The cursor pages another case’s timeline; start again without it.', [
          { field: 'cursor', reason: 'invalid', message: 'use the nextCursor of this case’s timeline' },
        ]);
      }
      after = Number(version);
    }
    const page = await this.timelinePage(principal, row.caseId, after, query.limit ?? TIMELINE_PAGE.default);
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
  private async caseInScope(principal: Principal, caseId: string): Promise<CaseDetailEntity> {
    const row = await applyCaseScope(this.cases.createQueryBuilder('c'), principal)
      .andWhere('c.caseId = :caseId', { caseId })
      .getOne();
    if (!row) throw new CaseError('case.not_found', `No case ${caseId}.`);
    return row;
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
    const qb = this.timeline
      .createQueryBuilder('t')
      .where('t.caseId = :caseId', { caseId })
      .andWhere('t.version > :after', { after: afterVersion })
      .orderBy('t.version', 'ASC');
    if (resident) qb.andWhere('t.type NOT IN (:...staffOnly)', { staffOnly: STAFF_ONLY_EVENT_TYPES });
    const rows = await page(qb, limit);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map((e): TimelineEntryView => ({
        version: e.version,
        type: e.type,
        at: e.at.toISOString(),
        recordedAt: e.recordedAt.toISOString(),
        actor: resident ? null : { id: e.actorId, role: e.actorRole, orgUnit: e.actorOrgUnit },
        channel: e.channel,
        summary: resident ? residentSummaryOf(e) : e.summary,
        changes: resident ? null : e.changes,
        // Rows written before tokens were opaque hold `<tx>-<seq>`: answered in today's form.
        position: formatPosition(parsePosition(e.position)),
      })),
      nextCursor: rows.more && last ? encodeCursor({ value: null, id: `${caseId}/${last.version}` }) : null,
    };
  }

  async mine(principal: Principal, query: ReadQuery): Promise<ResidentCaseListView> {
    const consistency = await this.consistent(['resident_cases'], query);
    const cursor = decodeCursor(query.cursor, 'uuid');
    const qb = this.residentCases.createQueryBuilder('r').where('r.submitterId = :me', { me: principal.id });
    if (cursor) {
      qb.andWhere(`("r"."submitted_at", "r"."case_id") < (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`, {
        cv: cursor.value,
        cid: cursor.id,
      });
    }
    qb.orderBy('"r"."submitted_at"', 'DESC').addOrderBy('"r"."case_id"', 'DESC');
    const rows = await page(qb, query.limit ?? DEFAULT_LIMIT);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map((r) => ({
        caseId: r.caseId,
        caseNumber: r.caseNumber,
        title: r.title,
        channel: r.channel,
        status: r.status,
        matterCode: r.matterCode,
        submittedAt: r.submittedAt.toISOString(),
        lastEventAt: r.lastEventAt.toISOString(),
        resolvedAt: iso(r.resolvedAt),
        closedAt: iso(r.closedAt),
        awaitingFeedback: r.awaitingFeedback,
        satisfaction: r.satisfaction,
        version: r.version,
      })),
      nextCursor: rows.more && last ? encodeCursor({ value: iso(last.submittedAt), id: last.caseId }) : null,
      consistency,
    };
  }

  async worklistOf(principal: Principal, query: ReadQuery): Promise<WorklistView> {
    const consistency = await this.consistent(['worklist'], query);
    const cursor = decodeCursor(query.cursor, 'uuid');
    const key = `COALESCE("w"."next_due_at", 'infinity'::timestamptz)`;
    const qb = this.worklist.createQueryBuilder('w').where('w.cadreId = :me', { me: principal.id });
    if (cursor) {
      qb.andWhere(`(${key}, "w"."case_id") > (CAST(:cv AS timestamptz), CAST(:cid AS uuid))`, {
        cv: cursor.value ?? 'infinity',
        cid: cursor.id,
      });
    }
    qb.orderBy(key, 'ASC').addOrderBy('"w"."case_id"', 'ASC');
    const rows = await page(qb, query.limit ?? DEFAULT_LIMIT);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map((w) => ({
        caseId: w.caseId,
        caseNumber: w.caseNumber,
        title: w.title,
        status: w.status,
        reason: w.reason,
        matterCode: w.matterCode,
        suspended: w.suspended,
        nextDueAt: iso(w.nextDueAt),
        overdue: w.overdue,
        submittedAt: w.submittedAt.toISOString(),
        since: w.since.toISOString(),
        version: w.version,
      })),
      nextCursor: rows.more && last ? encodeCursor({ value: iso(last.nextDueAt), id: last.caseId }) : null,
      consistency,
    };
  }

  async referralsOf(principal: Principal, query: ReferralsQuery): Promise<ReferralListView> {
    const consistency = await this.consistent(['referrals'], query);
    const cursor = decodeCursor(query.cursor, 'referral');
    const qb = this.referrals
      .createQueryBuilder('f')
      .where('f.toOrgUnit = :unit', { unit: principal.orgUnit ?? '' })
      .andWhere('f.status = :status', { status: query.status ?? 'open' });
    // Oldest first: a queue is worked from the front. The id tie-break is (case, referral).
    const tie = `("f"."case_id"::text || '/' || "f"."referral_id")`;
    if (cursor) {
      qb.andWhere(`("f"."referred_at", ${tie}) > (CAST(:cv AS timestamptz), CAST(:cid AS text))`, {
        cv: cursor.value,
        cid: cursor.id,
      });
    }
    qb.orderBy('"f"."referred_at"', 'ASC').addOrderBy(tie, 'ASC');
    const rows = await page(qb, query.limit ?? DEFAULT_LIMIT);
    const last = rows.items[rows.items.length - 1];
    return {
      items: rows.items.map((f) => ({
        caseId: f.caseId,
        referralId: f.referralId,
        caseNumber: f.caseNumber,
        title: f.title,
        matterCode: f.matterCode,
        target: f.target,
        toOrgUnit: f.toOrgUnit,
        request: f.request,
        referredAt: f.referredAt.toISOString(),
        referredBy: f.referredBy,
        status: f.status,
        completedAt: iso(f.completedAt),
        outcome: f.outcome,
      })),
      nextCursor:
        rows.more && last
          ? encodeCursor({ value: iso(last.referredAt), id: `${last.caseId}/${last.referralId}` })
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
    const qb = this.timeline
      .createQueryBuilder('t')
      .innerJoin(CaseDetailEntity, 'c', 'c.caseId = t.caseId')
      .select([
        't.caseId AS case_id',
        't.version AS version',
        't.at AS at',
        't.actorId AS actor_id',
        't.actorRole AS actor_role',
        't.actorOrgUnit AS actor_org_unit',
        "t.changes ->> 'reason' AS reason",
        'c.caseNumber AS case_number',
        'c.title AS title',
      ])
      .where('t.type = :type', { type: 'case.contact_revealed' });
    applyCaseScope(qb, principal, 'c');
    if (cursor) {
      const [caseId, version] = cursor.id.split('/');
      qb.andWhere('(t.at, t.caseId, t.version) < (CAST(:cv AS timestamptz), CAST(:cid AS uuid), :cver)', {
        cv: cursor.value,
        cid: caseId,
        cver: Number(version),
      });
    }
    qb.orderBy('t.at', 'DESC').addOrderBy('t.caseId', 'DESC').addOrderBy('t.version', 'DESC');
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

async function page<T extends object>(
  qb: SelectQueryBuilder<T>,
  limit: number,
): Promise<{ items: T[]; more: boolean }> {
  return pageOf(limit, (take) => qb.limit(take).getMany());
}

/** One page of at most `limit` rows, read as one more than that to know whether another follows. */
async function pageOf<R>(
  limit: number,
  read: (take: number) => Promise<R[]>,
): Promise<{ items: R[]; more: boolean }> {
  const rows = await read(limit + 1);
  return { items: rows.slice(0, limit), more: rows.length > limit };
}

function summaryOf(row: CaseDetailEntity): CaseSummaryView {
  return {
    caseId: row.caseId,
    caseNumber: row.caseNumber,
    status: row.status,
    channel: row.channel,
    title: row.title,
    matterCode: row.matterCode,
    category: row.category,
    communityCode: row.communityCode,
    streetCode: row.streetCode,
    ownerId: row.ownerId,
    ownerOrgUnit: row.ownerOrgUnit,
    designatedOwnerId: row.designatedOwnerId,
    designatedOrgUnit: row.designatedOrgUnit,
    resident: {
      name: row.residentName,
      phone: row.residentPhoneMasked,
      idNumber: row.residentIdNumberMasked,
    },
    submittedAt: row.submittedAt.toISOString(),
    nextDueAt: iso(row.nextDueAt),
    overdue: row.overdue,
    suspended: row.suspended,
    version: row.version,
    lastEventAt: row.lastEventAt.toISOString(),
  };
}

/**
 * The resident's line for a stored timeline row: the same summary rule as the staff's line
 * (`timelineSummary`), applied to the event the row was made from, with staff named by role only.
 */
function residentSummaryOf(row: CaseTimelineEntity): string {
  if (!KNOWN_EVENT_TYPES.has(row.type)) return row.summary;
  // The row keeps the event's data as the projection decoded it: today's shape.
  const type = row.type as CaseEventType;
  const event = CASE_EVENT_CODEC.decode({
    type,
    schemaVersion: CASE_EVENT_CODEC.versionOf(type),
    data: {
      ...row.changes,
      caseId: row.caseId,
      at: row.at.toISOString(),
      by: {
        id: row.actorId,
        role: row.actorRole,
        ...(row.actorOrgUnit === null ? {} : { orgUnit: row.actorOrgUnit }),
      },
    },
  });
  return maskPersonalDataInText(timelineSummary(event, 'resident'));
}

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set<string>(CASE_EVENT_TYPES);

function iso(value: Date | null): string | null {
  return value ? value.toISOString() : null;
}
