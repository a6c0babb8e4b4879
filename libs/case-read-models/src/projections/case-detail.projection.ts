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
import { column, defineTable, toInstant, type Projection, type RowOf } from '@tongban/projections';
import {
  assignment,
  lastOwner,
  lifecycleProjection,
  moved,
  summarizeDue,
  type LifecycleStep,
} from './case-projection';
import { dueTimeOf, nextDueOf, rememberDueTimes, type CaseDueTimes } from './sla-clocks.due-times';
import { ancestorsAndSelf, maskOptionalText, maskText, sortedUnion, streetOf } from './view-values';

/** Where an attachment came from; the timeline says which step or supplement. */
export type AttachmentSource = 'submitted' | 'step' | 'supplement';

export type CaseAttachment = {
  readonly ref: string;
  readonly name: string | null;
  readonly contentType: string | null;
  readonly source: AttachmentSource;
  readonly addedAt: string;
};

/** `rm_case_detail`: everything a case page shows, one row per case, personal numbers masked. */
export const caseDetailTable = defineTable({
  table: 'rm_case_detail',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    case_number: column.text(),
    status: column.text<LifecycleStatus>(),
    channel: column.text(),
    title: column.text(),
    description: column.text(),
    matter_code: column.text().nullable(),
    category: column.text().nullable(),
    resident_name: column.text(),
    resident_phone_masked: column.text(),
    resident_id_number_masked: column.text().nullable(),
    address: column.text().nullable(),
    community_code: column.text().nullable(),
    grid_code: column.text().nullable(),
    latitude: column.double().nullable(),
    longitude: column.double().nullable(),
    attachments: column.jsonb<readonly CaseAttachment[]>(),
    /** Who filed it: the resident and channel scopes (`applyCaseScope`). */
    submitter_id: column.text().internal(),
    submitter_role: column.text().internal(),
    submitted_at: column.timestamptz(),
    owner_id: column.text().nullable(),
    owner_org_unit: column.text().nullable(),
    designated_owner_id: column.text().nullable(),
    designated_org_unit: column.text().nullable(),
    handover_to_id: column.text().nullable(),
    /** Not in the API yet (the offered cadre's id is). */
    handover_to_org_unit: column.text().nullable().internal(),
    street_code: column.text().nullable(),
    suspended: column.boolean(),
    open_referrals: column.integer(),
    response_due_at: column.timestamptz().nullable(),
    resolution_due_at: column.timestamptz().nullable(),
    next_due_at: column.timestamptz().nullable(),
    overdue: column.boolean(),
    /** Whether a breach was recorded on each clock in its current round: what `overdue` derives from. */
    response_breached: column.boolean().internal(),
    resolution_breached: column.boolean().internal(),
    /**
     * The response and resolution clocks as the SLA watcher's due times last named them
     * (`case.due_times_set`): what the due times above derive from (null before any).
     */
    due_times: column.jsonb<CaseDueTimes>().nullable().internal(),
    first_contact_at: column.timestamptz().nullable(),
    resolved_at: column.timestamptz().nullable(),
    closed_at: column.timestamptz().nullable(),
    satisfaction: column.text().nullable(),
    solved: column.boolean().nullable(),
    return_count: column.integer(),
    reopen_count: column.integer(),
    supervision_count: column.integer(),
    /** Not in the API yet (the SLA clocks carry their own extension days). */
    extension_days: column.integer().internal(),
    ruled_unreasonable: column.boolean(),
    merged_into: column.uuid().nullable(),
    /** Org units and cadres that may see the case, so queries scope without joins. */
    scope_units: column.textArray().internal(),
    participant_ids: column.textArray().internal(),
    referral_units: column.textArray().internal(),
    version: column.integer(),
    last_event_at: column.timestamptz(),
    /** The case's lifecycle after `version` (the domain's fold): what the columns above derive from. */
    lifecycle: column.jsonb<CaseLifecycle>().nullable().internal(),
  },
});
export const CASE_DETAIL_TABLE = caseDetailTable.table;
export type CaseDetailRow = RowOf<typeof caseDetailTable>;

/**
 * `case_detail`: one row per case with its current state, who has it, its deadlines and counters,
 * and the org units and cadres that may see it (`scope_units`, `participant_ids`) so queries can
 * scope without joins.
 */
export const caseDetailProjection: Projection<CaseEvent> = lifecycleProjection<CaseDetailRow>({
  name: 'case_detail',
  tables: [caseDetailTable],
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
    // The queue's unit may see the case (the located community may differ from the one given).
    'case.routed': (row, { event }) => ({
      ...row,
      scope_units: sortedUnion(row.scope_units, ancestorsAndSelf(event.queue)),
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
    'case.due_times_set': (row, { event }) => ({
      ...row,
      due_times: rememberDueTimes(row.due_times, event.clocks),
    }),
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
      due_times: null,
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
  const dueTimes = row.due_times;
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
    response_due_at: dueTimeOf(after, dueTimes, 'response'),
    resolution_due_at: dueTimeOf(after, dueTimes, 'resolution'),
    response_breached: after.deadlines.response.breached,
    resolution_breached: after.deadlines.resolution.breached,
    next_due_at: nextDueOf(after, dueTimes),
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
