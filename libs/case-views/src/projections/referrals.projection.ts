import type { CaseEvent, ReferralTarget } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { toInstant, type Projection, type ProjectionContext, type RowRef } from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import { maskText } from './view-values';

export const REFERRAL_TABLE = 'rm_referral';
export const REFERRAL_CASE_TABLE = 'rm_referral_case';

export type ReferralStatus = 'open' | 'completed' | 'cancelled';

/** One row of `rm_referral`: a step referred to an office or agency, for that unit's queue. */
export type ReferralRow = {
  readonly case_id: string;
  readonly referral_id: string;
  readonly to_org_unit: string;
  readonly target: ReferralTarget;
  readonly request: string;
  readonly referred_at: string;
  readonly referred_by: string;
  readonly status: ReferralStatus;
  readonly completed_at: string | null;
  readonly outcome: string | null;
  readonly completed_by: string | null;
  readonly case_number: string;
  readonly title: string;
  readonly matter_code: string | null;
};

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
 * One row of `rm_referral_case`. The engine lets a handler read only rows it can name from the
 * event, and a withdrawal does not name the referrals it cancels, so the open referrals are kept
 * here in full (`open_referrals`, instants normalized by hand since it is jsonb).
 */
export type ReferralCaseRow = {
  readonly case_id: string;
  readonly case_number: string;
  readonly title: string;
  readonly matter_code: string | null;
  readonly open_referral_ids: readonly string[];
  readonly open_referrals: readonly OpenReferral[];
};

/**
 * `referrals`: the referral queue of offices and agencies. A referral is open until the unit (or
 * the owner) completes it; withdrawing or merging the case cancels it.
 */
export const referralsProjection: Projection<CaseEvent> = {
  name: 'referrals',
  tables: [
    {
      table: REFERRAL_TABLE,
      key: ['case_id', 'referral_id'],
      kind: 'document',
      timestamps: ['referred_at', 'completed_at'],
    },
    { table: REFERRAL_CASE_TABLE, key: ['case_id'], kind: 'document', timestamps: [] },
  ],
  streamsTable: 'rm_referral_streams',
  filter: CASE_STREAMS,
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return touchesReferrals(event) ? [{ table: REFERRAL_CASE_TABLE, key: { case_id: event.caseId } }] : [];
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
    if (!touchesReferrals(event)) return;
    const memory = context.get(REFERRAL_CASE_TABLE, { case_id: event.caseId }) as ReferralCaseRow | undefined;
    if (!memory) return;
    switch (event.type) {
      case 'case.step_referred': {
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
        return;
      }
      case 'case.referral_completed': {
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
        return;
      }
      case 'case.withdrawn':
      case 'case.merged_into':
        // The case will not be handled any more, so nobody should work on its referred steps.
        for (const referral of memory.open_referrals) {
          context.put(REFERRAL_TABLE, referralRow(memory, referral, 'cancelled'));
        }
        context.put(REFERRAL_CASE_TABLE, withOpen(memory, []));
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};

type ReferralEvent = Extract<
  CaseEvent,
  { type: 'case.step_referred' | 'case.referral_completed' | 'case.withdrawn' | 'case.merged_into' }
>;

function touchesReferrals(event: CaseEvent): event is ReferralEvent {
  switch (event.type) {
    case 'case.step_referred':
    case 'case.referral_completed':
    case 'case.withdrawn':
    case 'case.merged_into':
      return true;
    case 'case.submitted':
    case 'case.dispatched':
    case 'case.accepted':
    case 'case.returned':
    case 'case.resident_contacted':
    case 'case.handling_step_recorded':
    case 'case.suspended':
    case 'case.resumed':
    case 'case.handed_over':
    case 'case.resolved':
    case 'case.feedback_recorded':
    case 'case.closed':
    case 'case.reopened':
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.ruled_unreasonable':
    case 'case.sla_warning_raised':
    case 'case.sla_breached':
    case 'case.feedback_window_expired':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
      return false;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
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
