import type { CaseEvent, ReferralTarget } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import {
  column,
  defineTable,
  toInstant,
  type Projection,
  type ProjectionContext,
  type RowOf,
  type RowRef,
} from '@tongban/projections';
import { decodeCaseEvent } from './case-event-decoding';
import { caseStreamsOf, dispatchEvent, handledTypes, type CaseEventHandlers } from './case-projection';
import { maskText } from './view-values';

export type ReferralStatus = 'open' | 'completed' | 'cancelled';

/** `rm_referral`: a step referred to an office or agency, for that unit's queue. */
export const referralTable = defineTable({
  table: 'rm_referral',
  key: ['case_id', 'referral_id'],
  columns: {
    case_id: column.uuid(),
    referral_id: column.text(),
    to_org_unit: column.text(),
    target: column.text<ReferralTarget>(),
    request: column.text(),
    referred_at: column.timestamptz(),
    referred_by: column.text(),
    status: column.text<ReferralStatus>(),
    completed_at: column.timestamptz().nullable(),
    outcome: column.text().nullable(),
    /** Not in the API yet (the case's timeline names who completed it). */
    completed_by: column.text().nullable().internal(),
    case_number: column.text(),
    title: column.text(),
    matter_code: column.text().nullable(),
  },
});
export const REFERRAL_TABLE = referralTable.table;
export type ReferralRow = RowOf<typeof referralTable>;

/** An open referral as `rm_referral_case` remembers it: enough to rewrite its row whole. */
export type OpenReferral = {
  readonly referral_id: string;
  readonly to_org_unit: string;
  readonly target: ReferralTarget;
  readonly request: string;
  readonly referred_at: string;
  readonly referred_by: string;
};

/**
 * `rm_referral_case`: the referral queue's memory of a case. The engine lets a handler read only
 * rows it can name from the event, and a withdrawal does not name the referrals it cancels, so
 * the open referrals are kept here in full (`open_referrals`, instants normalized by hand since
 * it is jsonb). No query reads it.
 */
export const referralCaseTable = defineTable({
  table: 'rm_referral_case',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    case_number: column.text(),
    title: column.text(),
    matter_code: column.text().nullable(),
    open_referral_ids: column.textArray(),
    open_referrals: column.jsonb<readonly OpenReferral[]>(),
  },
});
export const REFERRAL_CASE_TABLE = referralCaseTable.table;
export type ReferralCaseRow = RowOf<typeof referralCaseTable>;

/**
 * The event types the referral queue follows. The queue keeps the referrals' own text, which no
 * lifecycle holds, so it follows these events (and submissions, which start its memory).
 */
const REFERRAL_HANDLERS: CaseEventHandlers<[memory: ReferralCaseRow, context: ProjectionContext], void> = {
  'case.step_referred': (event, memory, context) => {
    const referral: OpenReferral = {
      referral_id: event.referralId,
      to_org_unit: event.toOrgUnit,
      target: event.target,
      request: maskText(event.request),
      referred_at: toInstant(event.at),
      referred_by: event.by.id,
    };
    context.put(REFERRAL_TABLE, referralRow(memory, referral, 'open'));
    // Like `evolve`, a referral id made again replaces the earlier referral.
    const others = memory.open_referrals.filter((r) => r.referral_id !== event.referralId);
    context.put(REFERRAL_CASE_TABLE, withOpen(memory, [...others, referral]));
  },
  'case.referral_completed': (event, memory, context) => {
    const referral = memory.open_referrals.find((r) => r.referral_id === event.referralId);
    // Unknown or already completed: `evolve` ignores it too.
    if (!referral) return;
    context.put(REFERRAL_TABLE, {
      ...referralRow(memory, referral, 'completed'),
      completed_at: toInstant(event.at),
      outcome: maskText(event.outcome),
      completed_by: event.by.id,
    });
    context.put(
      REFERRAL_CASE_TABLE,
      withOpen(
        memory,
        memory.open_referrals.filter((r) => r.referral_id !== event.referralId),
      ),
    );
  },
  // The case will not be handled any more, so nobody should work on its referred steps.
  'case.withdrawn': (_event, memory, context) => cancelOpen(memory, context),
  'case.merged_into': (_event, memory, context) => cancelOpen(memory, context),
};

/**
 * `referrals`: the referral queue of offices and agencies. A referral is open until the unit (or
 * the owner) completes it; withdrawing or merging the case cancels it.
 */
export const referralsProjection: Projection<CaseEvent> = {
  name: 'referrals',
  tables: [referralTable, referralCaseTable],
  streamsTable: 'rm_referral_streams',
  filter: caseStreamsOf(['case.submitted', ...handledTypes(REFERRAL_HANDLERS)]),
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return event.type === 'case.submitted'
      ? []
      : [{ table: REFERRAL_CASE_TABLE, key: { case_id: event.caseId } }];
  },

  handle(event: CaseEvent, _recorded: RecordedEvent, context: ProjectionContext): void {
    if (event.type === 'case.submitted') {
      const memory: ReferralCaseRow = {
        case_id: event.caseId,
        case_number: event.caseNumber,
        title: maskText(event.title),
        matter_code: event.matterCode ?? null,
        open_referral_ids: [],
        open_referrals: [],
      };
      context.put(REFERRAL_CASE_TABLE, memory);
      return;
    }
    const memory = context.get(REFERRAL_CASE_TABLE, { case_id: event.caseId }) as ReferralCaseRow | undefined;
    if (memory) dispatchEvent(REFERRAL_HANDLERS, event, memory, context);
  },
};

function cancelOpen(memory: ReferralCaseRow, context: ProjectionContext): void {
  for (const referral of memory.open_referrals) {
    context.put(REFERRAL_TABLE, referralRow(memory, referral, 'cancelled'));
  }
  context.put(REFERRAL_CASE_TABLE, withOpen(memory, []));
}

function referralRow(memory: ReferralCaseRow, referral: OpenReferral, status: ReferralStatus): ReferralRow {
  return {
    case_id: memory.case_id,
    ...referral,
    status,
    completed_at: null,
    outcome: null,
    completed_by: null,
    case_number: memory.case_number,
    title: memory.title,
    matter_code: memory.matter_code,
  };
}

function withOpen(memory: ReferralCaseRow, open: readonly OpenReferral[]): ReferralCaseRow {
  return { ...memory, open_referrals: open, open_referral_ids: open.map((r) => r.referral_id) };
}
