import { maskIdNumber, maskPhone } from '@tongban/logging';
import {
  designatedOf,
  handOverOf,
  isSuspended,
  openReferrals,
  ownerOf,
  type AttachmentRef,
  type Assignment,
  type CaseEvent,
  type CaseLifecycle,
  type CaseSubmitted,
  type LifecycleStatus,
} from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { toInstant, type Projection } from '@tongban/projections';
import {
  assignment,
  dueAt,
  lastOwner,
  lifecycleProjection,
  moved,
  summarizeDue,
  type LifecycleStep,
} from './case-projection';
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
  readonly status: LifecycleStatus;
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
  /** The case's lifecycle after `version` (the domain's fold): what the columns above derive from. */
  readonly lifecycle: CaseLifecycle | null;
};

/**
 * `case_detail`: one row per case with its current state, who has it, its deadlines and counters,
 * and the org units and cadres that may see it (`scope_units`, `participant_ids`) so queries can
 * scope without joins.
 */
export const caseDetailProjection: Projection<CaseEvent> = lifecycleProjection<CaseDetailRow>({
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
  caseTable: CASE_DETAIL_TABLE,
  // Every event moves `version` and `last_event_at` (withdrawn and merged cases included: the
  // timeline still records).
  everyEvent: true,
  start: (event, recorded, lifecycle) => submittedRow(event, recorded, lifecycle),
  on: {
    'case.resident_contacted': (row, { event }) =>
      row.first_contact_at === null ? { ...row, first_contact_at: toInstant(event.at) } : row,
    'case.handling_step_recorded': (row, { event }) => ({
      ...row,
      attachments: [...row.attachments, ...attachmentsOf(event.attachments, 'step', event.at)],
    }),
    'case.resident_info_supplemented': (row, { event }) => ({
      ...row,
      attachments: [...row.attachments, ...attachmentsOf(event.attachments, 'supplement', event.at)],
    }),
    'case.step_referred': (row, { event }) => ({
      ...row,
      referral_units: sortedUnion(row.referral_units, [event.toOrgUnit]),
      scope_units: sortedUnion(row.scope_units, ancestorsAndSelf(event.toOrgUnit)),
    }),
    'case.resolved': (row, step) => (moved(step) ? { ...row, resolved_at: toInstant(step.event.at) } : row),
    'case.feedback_recorded': (row, { event, before }) =>
      before.status === 'resolved' ? { ...row, satisfaction: event.satisfaction, solved: event.solved } : row,
    'case.closed': (row, step) => (moved(step) ? { ...row, closed_at: toInstant(step.event.at) } : row),
    // The case is in handling again: the last round's resolution and feedback stay in the timeline.
    'case.reopened': (row, step) =>
      moved(step) ? { ...row, resolved_at: null, closed_at: null, satisfaction: null, solved: null } : row,
    'case.supervised': (row) => ({ ...row, supervision_count: row.supervision_count + 1 }),
    'case.extension_granted': (row, { event }) => ({
      ...row,
      extension_days: row.extension_days + event.extraBusinessDays,
    }),
  },
  each: (row, step) =>
    finish({ ...row, version: step.recorded.version, last_event_at: toInstant(step.event.at) }, step),
});

function submittedRow(
  event: CaseSubmitted,
  recorded: RecordedEvent,
  lifecycle: CaseLifecycle,
): CaseDetailRow {
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
      lifecycle,
    },
    lifecycle,
  );
}

/**
 * Writes what the row derives from the lifecycle after the event: status, who has the case, the
 * counters the lifecycle keeps, the deadlines, and who may see it.
 */
function finish(row: CaseDetailRow, stepOrLifecycle: LifecycleStep | CaseLifecycle): CaseDetailRow {
  const after = 'after' in stepOrLifecycle ? stepOrLifecycle.after : stepOrLifecycle;
  const owner = lastOwner(after, ownerOf(after), assignment(row.owner_id, row.owner_org_unit));
  const designated = designatedOf(after);
  const handOver = handOverOf(after);
  const involved = [designated, owner, handOver].filter((a): a is Assignment => a !== null);
  const due = summarizeDue(after);
  return {
    ...row,
    status: after.status,
    owner_id: owner?.cadreId ?? null,
    owner_org_unit: owner?.orgUnit ?? null,
    designated_owner_id: designated?.cadreId ?? null,
    designated_org_unit: designated?.orgUnit ?? null,
    handover_to_id: handOver?.cadreId ?? null,
    handover_to_org_unit: handOver?.orgUnit ?? null,
    suspended: isSuspended(after),
    street_code: streetOf(owner?.orgUnit ?? designated?.orgUnit ?? row.community_code),
    open_referrals: openReferrals(after).length,
    return_count: after.returnCount,
    reopen_count: after.reopenCount,
    ruled_unreasonable: after.ruledUnreasonable,
    merged_into: after.status === 'merged' ? after.intoCaseId : null,
    response_due_at: dueAt(after, 'response'),
    resolution_due_at: dueAt(after, 'resolution'),
    response_breached: after.deadlines.response.breached,
    resolution_breached: after.deadlines.resolution.breached,
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
