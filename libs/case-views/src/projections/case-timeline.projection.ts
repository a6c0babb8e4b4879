import { maskIdNumber, maskPhone } from '@tongban/logging';
import type { CaseEvent, SlaClock } from '@tongban/cases';
import { formatPosition, type RecordedEvent } from '@tongban/event-store';
import {
  toInstant,
  type CellValue,
  type Projection,
  type ProjectionContext,
  type RowRef,
} from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import { maskText } from './view-values';

export const CASE_TIMELINE_TABLE = 'rm_case_timeline';

/** One row of `rm_case_timeline`: one event of a case, for the audit history. */
export type CaseTimelineRow = {
  readonly case_id: string;
  readonly version: number;
  readonly position: string;
  readonly type: string;
  readonly at: string;
  readonly recorded_at: string;
  readonly actor_id: string;
  readonly actor_role: string;
  readonly actor_org_unit: string | null;
  readonly channel: string | null;
  readonly summary: string;
  readonly changes: { readonly [field: string]: CellValue };
};

/**
 * `case_timeline`: every event of a case as one row (keyed by stream version), with who did it,
 * a one-line English summary and what it changed. Rows are only ever added, so the projection
 * reads nothing.
 */
export const caseTimelineProjection: Projection<CaseEvent> = {
  name: 'case_timeline',
  tables: [
    {
      table: CASE_TIMELINE_TABLE,
      key: ['case_id', 'version'],
      kind: 'document',
      timestamps: ['at', 'recorded_at'],
    },
  ],
  streamsTable: 'rm_case_timeline_streams',
  filter: CASE_STREAMS,
  decode: decodeCaseEvent,

  reads(): readonly RowRef[] {
    return [];
  },

  handle(event: CaseEvent, recorded: RecordedEvent, context: ProjectionContext): void {
    const row: CaseTimelineRow = {
      case_id: event.caseId,
      version: recorded.version,
      position: formatPosition(recorded.position),
      type: event.type,
      at: toInstant(event.at),
      recorded_at: toInstant(recorded.recordedAt),
      actor_id: event.by.id,
      actor_role: event.by.role,
      actor_org_unit: event.by.orgUnit ?? null,
      channel: recorded.metadata.channel ?? null,
      summary: maskText(summarize(event)),
      changes: changesOf(event),
    };
    context.put(CASE_TIMELINE_TABLE, row);
  },
};

/** The event's own data: what every event carries (case, time, actor, type) has its columns. */
function changesOf(event: CaseEvent): { readonly [field: string]: CellValue } {
  const { caseId: _caseId, at: _at, by: _by, type: _type, ...data } = event;
  const out: Record<string, CellValue> = {};
  for (const [field, value] of Object.entries(data)) out[field] = sanitize(field, value);
  return out;
}

/** Fields holding an instant: normalized here because the engine does not look inside jsonb. */
const INSTANT_FIELDS = new Set(['dueAt', 'suspendedAt']);

/** Masks personal numbers wherever they are, and normalizes instants, at any depth. */
function sanitize(field: string | null, value: unknown): CellValue {
  if (typeof value === 'string') {
    if (field === 'phone') return maskPhone(value);
    if (field === 'idNumber') return maskIdNumber(value);
    if (field !== null && INSTANT_FIELDS.has(field)) return toInstant(value);
    return maskText(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => sanitize(null, item));
  if (typeof value === 'object') {
    const out: Record<string, CellValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = sanitize(key, item);
    }
    return out;
  }
  throw new Error(`Not a JSON value in a case event: ${typeof value}`);
}

const CLOCK_NAMES: Readonly<Record<SlaClock, string>> = { response: 'Response', resolution: 'Resolution' };

/** One line for people scanning a history. Ids and codes only: free text stays in `changes`. */
function summarize(event: CaseEvent): string {
  switch (event.type) {
    case 'case.submitted':
      return `Submitted via ${words(event.channel)} by ${event.by.role} ${event.by.id}${
        event.matterCode === undefined ? '' : ` (matter ${event.matterCode})`
      }`;
    case 'case.dispatched':
      return `${event.redispatch ? 'Redispatched' : 'Dispatched'} to cadre ${event.ownerId} of ${event.ownerOrgUnit} (rule ${event.rule}, directory v${event.directoryVersion})`;
    case 'case.accepted':
      return event.viaHandOver
        ? `Hand-over accepted by cadre ${event.ownerId} of ${event.ownerOrgUnit}, now the owner`
        : `Accepted by cadre ${event.ownerId} of ${event.ownerOrgUnit}`;
    case 'case.returned':
      return event.handOverRefused
        ? `Hand-over refused by cadre ${event.by.id}`
        : `Returned to dispatch by cadre ${event.by.id}`;
    case 'case.resident_contacted':
      return `${event.firstContact ? 'First contact' : 'Contact'} with the resident (${words(event.method)})`;
    case 'case.handling_step_recorded':
      return `Handling step recorded${attachmentNote(event.attachments.length)}`;
    case 'case.step_referred':
      return `Step referred to ${event.target} ${event.toOrgUnit} (referral ${event.referralId})`;
    case 'case.referral_completed':
      return `Referral ${event.referralId} completed by ${event.by.orgUnit ?? event.by.id}`;
    case 'case.suspended':
      return 'Handling suspended';
    case 'case.resumed':
      return 'Handling resumed';
    case 'case.handed_over':
      return `Hand-over offered by cadre ${event.fromCadreId} to cadre ${event.toCadreId} of ${event.toOrgUnit}`;
    case 'case.resolved':
      return `Resolved by cadre ${event.by.id}`;
    case 'case.feedback_recorded':
      return `Feedback: ${words(event.satisfaction)}, ${event.solved ? 'solved' : 'not solved'}`;
    case 'case.closed':
      return 'Closed';
    case 'case.reopened':
      return `Reopened by ${event.by.role} ${event.by.id}`;
    case 'case.withdrawn':
      return `Withdrawn by ${event.by.role} ${event.by.id}`;
    case 'case.merged_into':
      return `Merged into case ${event.intoCaseId}`;
    case 'case.supervised':
      return `Supervision instruction from ${event.by.id}`;
    case 'case.extension_granted':
      return `${CLOCK_NAMES[event.clock]} deadline extended by ${event.extraBusinessDays} business day${
        event.extraBusinessDays === 1 ? '' : 's'
      }`;
    case 'case.ruled_unreasonable':
      return 'Ruled unreasonable: excluded from KPIs';
    case 'case.sla_warning_raised':
      return `${CLOCK_NAMES[event.clock]} deadline near: due ${toInstant(event.dueAt)}`;
    case 'case.sla_breached':
      return `${CLOCK_NAMES[event.clock]} deadline passed: was due ${toInstant(event.dueAt)}`;
    case 'case.feedback_window_expired':
      return 'Feedback window expired without feedback';
    case 'case.resident_info_supplemented':
      return `Resident supplemented information${attachmentNote(event.attachments.length)}`;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** `mini_program` → `mini program`. */
function words(code: string): string {
  return code.replace(/_/g, ' ');
}

function attachmentNote(count: number): string {
  if (count === 0) return '';
  return ` with ${count} attachment${count === 1 ? '' : 's'}`;
}
