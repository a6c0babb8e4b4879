import { maskIdNumber, maskPhone } from '@tongban/logging';
import type { AttachmentRef, CaseEvent, CaseSubmitted } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { toInstant, type Projection, type ProjectionContext, type RowRef } from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import {
  assignmentsOf,
  evolveDueFacts,
  evolveRouting,
  isTerminal,
  NEW_CASE_ROUTING,
  NO_DUE_FACTS,
  summarizeDue,
  type CaseViewStatus,
  type DueFacts,
  type Routing,
} from './case-lifecycle';
import { ancestorsAndSelf, maskOptionalText, maskText, sortedUnion, streetOf } from './view-values';

export const CASE_DETAIL_TABLE = 'rm_case_detail';

/** Where an attachment came from; the timeline says which step or supplement. */
export type AttachmentSource = 'submitted' | 'step' | 'supplement';

export type CaseAttachment = {
  readonly ref: string;
  readonly name: string | null;
  readonly contentType: string | null;
  readonly source: AttachmentSource;
  readonly addedAt: string;
};

/** One row of `rm_case_detail`: everything a case page shows, personal numbers masked. */
export type CaseDetailRow = {
  readonly case_id: string;
  readonly case_number: string;
  readonly status: CaseViewStatus;
  readonly channel: string;
  readonly title: string;
  readonly description: string;
  readonly matter_code: string | null;
  readonly category: string | null;
  readonly resident_name: string;
  readonly resident_phone_masked: string;
  readonly resident_id_number_masked: string | null;
  readonly address: string | null;
  readonly community_code: string | null;
  readonly grid_code: string | null;
  readonly latitude: number | null;
  readonly longitude: number | null;
  readonly attachments: readonly CaseAttachment[];
  readonly submitter_id: string;
  readonly submitter_role: string;
  readonly submitted_at: string;
  readonly owner_id: string | null;
  readonly owner_org_unit: string | null;
  readonly designated_owner_id: string | null;
  readonly designated_org_unit: string | null;
  readonly handover_to_id: string | null;
  readonly handover_to_org_unit: string | null;
  readonly street_code: string | null;
  readonly suspended: boolean;
  readonly open_referrals: number;
  readonly response_due_at: string | null;
  readonly resolution_due_at: string | null;
  readonly next_due_at: string | null;
  readonly overdue: boolean;
  /** Whether a breach was recorded on each clock in its current round: what `overdue` derives from. */
  readonly response_breached: boolean;
  readonly resolution_breached: boolean;
  readonly first_contact_at: string | null;
  readonly resolved_at: string | null;
  readonly closed_at: string | null;
  readonly satisfaction: string | null;
  readonly solved: boolean | null;
  readonly return_count: number;
  readonly reopen_count: number;
  readonly supervision_count: number;
  readonly extension_days: number;
  readonly ruled_unreasonable: boolean;
  readonly merged_into: string | null;
  readonly scope_units: readonly string[];
  readonly participant_ids: readonly string[];
  readonly referral_units: readonly string[];
  readonly version: number;
  readonly last_event_at: string;
};

/**
 * `case_detail`: one row per case with its current state, who has it, its deadlines and counters,
 * and the org units and cadres that may see it (`scope_units`, `participant_ids`) so queries can
 * scope without joins.
 */
export const caseDetailProjection: Projection<CaseEvent> = {
  name: 'case_detail',
  tables: [
    {
      table: CASE_DETAIL_TABLE,
      key: ['case_id'],
      kind: 'document',
      timestamps: [
        'submitted_at',
        'response_due_at',
        'resolution_due_at',
        'next_due_at',
        'first_contact_at',
        'resolved_at',
        'closed_at',
        'last_event_at',
      ],
    },
  ],
  streamsTable: 'rm_case_detail_streams',
  filter: CASE_STREAMS,
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return event.type === 'case.submitted'
      ? []
      : [{ table: CASE_DETAIL_TABLE, key: { case_id: event.caseId } }];
  },

  handle(event: CaseEvent, recorded: RecordedEvent, context: ProjectionContext): void {
    if (event.type === 'case.submitted') {
      context.put(CASE_DETAIL_TABLE, submittedRow(event, recorded));
      return;
    }
    const current = context.get(CASE_DETAIL_TABLE, { case_id: event.caseId }) as CaseDetailRow | undefined;
    // Like `evolve`, events of a case that was never submitted change nothing.
    if (!current) return;
    context.put(CASE_DETAIL_TABLE, evolveDetail(current, event, recorded));
  },
};

function submittedRow(event: CaseSubmitted, recorded: RecordedEvent): CaseDetailRow {
  const community = event.location.communityCode ?? null;
  return finish(
    {
      case_id: event.caseId,
      case_number: event.caseNumber,
      status: 'submitted',
      channel: event.channel,
      title: maskText(event.title),
      description: maskText(event.description),
      matter_code: event.matterCode ?? null,
      category: event.category ?? null,
      resident_name: maskText(event.resident.name),
      resident_phone_masked: maskPhone(event.resident.phone),
      resident_id_number_masked:
        event.resident.idNumber === undefined ? null : maskIdNumber(event.resident.idNumber),
      address: maskOptionalText(event.location.address),
      community_code: community,
      grid_code: event.location.gridCode ?? null,
      latitude: event.location.latitude ?? null,
      longitude: event.location.longitude ?? null,
      attachments: attachmentsOf(event.attachments, 'submitted', event.at),
      submitter_id: event.by.id,
      submitter_role: event.by.role,
      submitted_at: toInstant(event.at),
      owner_id: null,
      owner_org_unit: null,
      designated_owner_id: null,
      designated_org_unit: null,
      handover_to_id: null,
      handover_to_org_unit: null,
      street_code: null,
      suspended: false,
      open_referrals: 0,
      response_due_at: null,
      resolution_due_at: null,
      next_due_at: null,
      overdue: false,
      response_breached: false,
      resolution_breached: false,
      first_contact_at: null,
      resolved_at: null,
      closed_at: null,
      satisfaction: null,
      solved: null,
      return_count: 0,
      reopen_count: 0,
      supervision_count: 0,
      extension_days: 0,
      ruled_unreasonable: false,
      merged_into: null,
      scope_units: community === null ? [] : ancestorsAndSelf(community),
      participant_ids: [],
      referral_units: [],
      version: recorded.version,
      last_event_at: toInstant(event.at),
    },
    NEW_CASE_ROUTING,
    NO_DUE_FACTS,
  );
}

function evolveDetail(row: CaseDetailRow, event: CaseEvent, recorded: RecordedEvent): CaseDetailRow {
  const stamped: CaseDetailRow = { ...row, version: recorded.version, last_event_at: toInstant(event.at) };
  // Withdrawn and merged cases take no more changes (as in `evolve`); the timeline still records.
  if (isTerminal(row.status)) return stamped;
  const routingBefore = routingOf(row);
  const routing = evolveRouting(routingBefore, event);
  const changed = routing.status !== row.status;
  const facts = evolveDueFacts(dueFactsOf(row), event, row.status, routing.status);
  return finish(applyFacts(stamped, event, changed), routing, facts);
}

/** The event's own facts; who has the case and the deadlines are applied by `finish`. */
function applyFacts(row: CaseDetailRow, event: CaseEvent, changed: boolean): CaseDetailRow {
  switch (event.type) {
    case 'case.returned':
      // Only a real return (退单) counts, not a refused hand-over.
      return changed ? { ...row, return_count: row.return_count + 1 } : row;
    case 'case.resident_contacted':
      return row.first_contact_at === null ? { ...row, first_contact_at: toInstant(event.at) } : row;
    case 'case.handling_step_recorded':
      return {
        ...row,
        attachments: [...row.attachments, ...attachmentsOf(event.attachments, 'step', event.at)],
      };
    case 'case.resident_info_supplemented':
      return {
        ...row,
        attachments: [...row.attachments, ...attachmentsOf(event.attachments, 'supplement', event.at)],
      };
    case 'case.step_referred':
      return {
        ...row,
        open_referrals: row.open_referrals + 1,
        referral_units: sortedUnion(row.referral_units, [event.toOrgUnit]),
        scope_units: sortedUnion(row.scope_units, ancestorsAndSelf(event.toOrgUnit)),
      };
    case 'case.referral_completed':
      return { ...row, open_referrals: Math.max(0, row.open_referrals - 1) };
    case 'case.resolved':
      return changed ? { ...row, resolved_at: toInstant(event.at) } : row;
    case 'case.feedback_recorded':
      return row.status === 'resolved'
        ? { ...row, satisfaction: event.satisfaction, solved: event.solved }
        : row;
    case 'case.closed':
      return changed ? { ...row, closed_at: toInstant(event.at) } : row;
    case 'case.reopened':
      // The case is in handling again: the last round's resolution and feedback stay in the timeline.
      return changed
        ? {
            ...row,
            reopen_count: row.reopen_count + 1,
            resolved_at: null,
            closed_at: null,
            satisfaction: null,
            solved: null,
          }
        : row;
    case 'case.withdrawn':
      // Open referrals are cancelled with the case (see the referrals projection).
      return changed ? { ...row, open_referrals: 0 } : row;
    case 'case.merged_into':
      return changed ? { ...row, open_referrals: 0, merged_into: event.intoCaseId } : row;
    case 'case.supervised':
      return { ...row, supervision_count: row.supervision_count + 1 };
    case 'case.extension_granted':
      return { ...row, extension_days: row.extension_days + event.extraBusinessDays };
    case 'case.ruled_unreasonable':
      return { ...row, ruled_unreasonable: true };
    case 'case.submitted':
    case 'case.dispatched':
    case 'case.accepted':
    case 'case.suspended':
    case 'case.resumed':
    case 'case.handed_over':
    case 'case.sla_warning_raised':
    case 'case.sla_breached':
    case 'case.feedback_window_expired':
    case 'case.contact_revealed':
      return row;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** Writes routing and deadlines into the row, and everything derived from them. */
function finish(row: CaseDetailRow, routing: Routing, facts: DueFacts): CaseDetailRow {
  const involved = assignmentsOf(routing);
  const due = summarizeDue(routing.status, facts);
  return {
    ...row,
    status: routing.status,
    owner_id: routing.owner?.cadreId ?? null,
    owner_org_unit: routing.owner?.orgUnit ?? null,
    designated_owner_id: routing.designated?.cadreId ?? null,
    designated_org_unit: routing.designated?.orgUnit ?? null,
    handover_to_id: routing.handOver?.cadreId ?? null,
    handover_to_org_unit: routing.handOver?.orgUnit ?? null,
    suspended: routing.suspended,
    street_code: streetOf(routing.owner?.orgUnit ?? routing.designated?.orgUnit ?? row.community_code),
    response_due_at: facts.responseDueAt,
    resolution_due_at: facts.resolutionDueAt,
    response_breached: facts.responseBreached,
    resolution_breached: facts.resolutionBreached,
    next_due_at: due.nextDueAt,
    overdue: due.overdue,
    // Ever involved: these only grow, so whoever once had the case can still find it.
    participant_ids: sortedUnion(
      row.participant_ids,
      involved.map((a) => a.cadreId),
    ),
    scope_units: sortedUnion(
      row.scope_units,
      involved.flatMap((a) => ancestorsAndSelf(a.orgUnit)),
    ),
  };
}

function routingOf(row: CaseDetailRow): Routing {
  return {
    status: row.status,
    designated: assignment(row.designated_owner_id, row.designated_org_unit),
    owner: assignment(row.owner_id, row.owner_org_unit),
    handOver: assignment(row.handover_to_id, row.handover_to_org_unit),
    suspended: row.suspended,
  };
}

function dueFactsOf(row: CaseDetailRow): DueFacts {
  return {
    contacted: row.first_contact_at !== null,
    responseDueAt: row.response_due_at,
    resolutionDueAt: row.resolution_due_at,
    responseBreached: row.response_breached,
    resolutionBreached: row.resolution_breached,
  };
}

function assignment(cadreId: string | null, orgUnit: string | null): Routing['owner'] {
  return cadreId === null || orgUnit === null ? null : { cadreId, orgUnit };
}

function attachmentsOf(
  refs: readonly AttachmentRef[],
  source: AttachmentSource,
  at: string,
): CaseAttachment[] {
  return refs.map((a) => ({
    ref: a.ref,
    name: a.name === undefined ? null : maskText(a.name),
    contentType: a.contentType ?? null,
    source,
    addedAt: toInstant(at),
  }));
}
