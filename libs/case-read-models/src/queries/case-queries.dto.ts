import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { CHANNELS, ORG_UNIT_CODE, TIMED_CLOCKS, type TimedClock } from '@tongban/cases';
import { formatPosition, POSITION_TOKEN_PATTERN } from '@tongban/event-store';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

const CASE_STATUSES = [
  'submitted',
  'dispatched',
  'in_handling',
  'returned',
  'resolved',
  'closed',
  'withdrawn',
  'merged',
] as const;
const ORG_UNIT = ORG_UNIT_CODE;
/** A position token as the event store writes it (opaque), or as it wrote it before (`<tx>-<seq>`). */
const POSITION = POSITION_TOKEN_PATTERN;
const POSITION_EXAMPLE = formatPosition({ tx: 5_298_032n, seq: 80n });

const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').filter((v) => v.length > 0) : value;
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;
const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : value;

/** What every read accepts: the consistency token. */
export class ConsistencyQuery {
  @ApiPropertyOptional({
    description:
      'Consistency token: the `position` a command returned. The answer waits (bounded) until the read ' +
      'models have applied it; `consistency.status` says whether they had.',
    example: POSITION_EXAMPLE,
    pattern: POSITION.source,
  })
  @IsOptional()
  @Matches(POSITION, { message: `after must be a position token such as ${POSITION_EXAMPLE}` })
  after?: string;
}

/** What every listing accepts: the consistency token and the page. */
export class ReadQuery extends ConsistencyQuery {
  @ApiPropertyOptional({
    description: 'The `nextCursor` of the previous page (opaque; 400 `query.invalid_cursor` for any other).',
    maxLength: 500,
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

/** Timeline entries per page: the detail's first page and `GET /cases/:id/timeline`. */
export const TIMELINE_PAGE = { default: 50, max: 200 } as const;

/** How many timeline entries a page holds: the same bounds on the detail and on its pages. */
function TimelinePageSize(description?: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      ...(description ? { description } : {}),
      type: 'integer',
      minimum: 1,
      maximum: TIMELINE_PAGE.max,
      default: TIMELINE_PAGE.default,
    }),
    IsOptional(),
    Transform(toInt),
    IsInt(),
    Min(1),
    Max(TIMELINE_PAGE.max),
  );
}

export class CaseDetailQuery extends ConsistencyQuery {
  @TimelinePageSize(
    'Timeline entries in the answer (oldest first); `timelineNextCursor` pages on through ' +
      '`GET /cases/{id}/timeline`.',
  )
  timelineLimit?: number;
}

export class TimelineQuery extends ConsistencyQuery {
  @ApiPropertyOptional({
    description:
      'The `timelineNextCursor` of the detail, or the `nextCursor` of the previous page (opaque; ' +
      '400 `query.invalid_cursor` for any other, including one of another case).',
    maxLength: 500,
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @TimelinePageSize()
  limit?: number;
}

export class ListCasesQuery extends ReadQuery {
  @ApiPropertyOptional({
    description: 'One or more: repeat the parameter, or separate them with commas.',
    enum: CASE_STATUSES,
    isArray: true,
    example: ['dispatched', 'in_handling'],
  })
  @IsOptional()
  @Transform(toList)
  @IsIn(CASE_STATUSES, { each: true })
  status?: string[];

  @ApiPropertyOptional({ example: 'pc.gucheng', pattern: ORG_UNIT.source })
  @IsOptional()
  @Matches(ORG_UNIT, { message: 'street must be an org unit code such as pc.gucheng' })
  street?: string;

  @ApiPropertyOptional({ example: 'pc.gucheng.taiyangcheng', pattern: ORG_UNIT.source })
  @IsOptional()
  @Matches(ORG_UNIT, { message: 'community must be an org unit code such as pc.gucheng.taiyangcheng' })
  community?: string;

  @ApiPropertyOptional({
    description: 'The accountable (or designated) cadre.',
    maxLength: 100,
    example: 'demo-cadre-taiyangcheng',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  owner?: string;

  @ApiPropertyOptional({ description: 'Matter code of the catalogue.', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  matter?: string;

  @ApiPropertyOptional({ description: 'Past a due time, or a breach recorded on a clock still running.' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ enum: CHANNELS })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: string;

  @ApiPropertyOptional({
    description: 'Submitted at or after (ISO 8601).',
    example: '2026-11-01T00:00:00+08:00',
    format: 'date-time',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  submittedFrom?: string;

  @ApiPropertyOptional({
    description: 'Submitted before (ISO 8601).',
    example: '2026-12-01T00:00:00+08:00',
    format: 'date-time',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  submittedTo?: string;

  @ApiPropertyOptional({
    enum: ['due', '-submitted', 'submitted'],
    default: '-submitted',
    description: '`due`: nearest due time first (no due time last); `-submitted`: newest first.',
  })
  @IsOptional()
  @IsIn(['due', '-submitted', 'submitted'])
  sort?: 'due' | '-submitted' | 'submitted';
}

/** How far ahead a due time counts as due soon on the worklist (as on the cadre workload). */
export const WORKLIST_DUE_SOON_HOURS = 24;
export const WORKLIST_DUE_FILTERS = ['soon', 'overdue'] as const;

export class WorklistQuery extends ReadQuery {
  @ApiPropertyOptional({
    enum: WORKLIST_DUE_FILTERS,
    description:
      `\`soon\`: cases whose next due time is within the next ${WORKLIST_DUE_SOON_HOURS} hours; ` +
      '`overdue`: cases whose next due time has passed. Without it, every case on the list.',
  })
  @IsOptional()
  @IsIn(WORKLIST_DUE_FILTERS)
  due?: (typeof WORKLIST_DUE_FILTERS)[number];
}

export class ReferralsQuery extends ReadQuery {
  @ApiPropertyOptional({ enum: ['open', 'completed', 'cancelled'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'completed', 'cancelled'])
  status?: 'open' | 'completed' | 'cancelled';
}

export class ConsistencyDto {
  @ApiProperty({ enum: ['current', 'behind'] })
  status!: 'current' | 'behind';
  @ApiProperty({ description: "The read models' position when the answer was read." })
  position!: string;
  @ApiProperty({ nullable: true, type: String, description: 'The `after` the caller asked for.' })
  requested!: string | null;
}

export class ResidentContactView {
  @ApiProperty() name!: string;
  @ApiProperty({
    example: '138****1234',
    description:
      'Masked, except for the resident who filed, in their own case’s detail. Staff who call back ask ' +
      'for it with `POST /cases/{id}/contact-details/reveal`, which is recorded.',
  })
  phone!: string;
  @ApiProperty({ nullable: true, type: String, example: '1101**********1234' }) idNumber!: string | null;
}

export class CaseSummaryView {
  @ApiProperty() caseId!: string;
  @ApiProperty({ example: 'PC-20261127-000001' }) caseNumber!: string;
  @ApiProperty({ enum: CASE_STATUSES }) status!: string;
  @ApiProperty({ enum: CHANNELS }) channel!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String }) matterCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) category!: string | null;
  @ApiProperty({ nullable: true, type: String }) communityCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) streetCode!: string | null;
  @ApiProperty({ nullable: true, type: String }) ownerId!: string | null;
  @ApiProperty({ nullable: true, type: String }) ownerOrgUnit!: string | null;
  @ApiProperty({ nullable: true, type: String }) designatedOwnerId!: string | null;
  @ApiProperty({ nullable: true, type: String }) designatedOrgUnit!: string | null;
  @ApiProperty({ type: ResidentContactView }) resident!: ResidentContactView;
  @ApiProperty() submittedAt!: string;
  @ApiProperty({ nullable: true, type: String }) nextDueAt!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty() suspended!: boolean;
  @ApiProperty({ description: 'Send as If-Match on the next action.' }) version!: number;
  @ApiProperty() lastEventAt!: string;
}

export class CaseListView {
  @ApiProperty({ type: [CaseSummaryView] }) items!: CaseSummaryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class TimelineEntryView {
  @ApiProperty() version!: number;
  @ApiProperty() type!: string;
  @ApiProperty() at!: string;
  @ApiProperty() recordedAt!: string;
  @ApiProperty({ description: 'Who acted (id, role, org unit); left out for residents.', nullable: true })
  actor!: { id: string; role: string; orgUnit: string | null } | null;
  @ApiProperty({ nullable: true, type: String }) channel!: string | null;
  @ApiProperty() summary!: string;
  @ApiProperty({
    description: 'What changed (phone and ID numbers masked); left out for residents.',
    nullable: true,
  })
  changes!: Record<string, unknown> | null;
  @ApiProperty() position!: string;
}

/** What a clock's `status` says (see `SlaClockView.status`). */
export const SLA_CLOCK_VIEW_STATUSES = ['running', 'breached', 'paused', 'met', 'stopped'] as const;
export type SlaClockViewStatus = (typeof SLA_CLOCK_VIEW_STATUSES)[number];

export class SlaClockView {
  @ApiProperty({
    enum: TIMED_CLOCKS,
    description:
      '`dispatch`: submission to the first dispatch; `response`: dispatch to the first contact with the ' +
      'resident; `resolution`: dispatch (or a reopen) to resolution; `feedbackWindow`: resolution to the ' +
      'resident’s rating.',
  })
  clock!: TimedClock;
  @ApiProperty({ description: '1, and one more per reopen for `resolution` and `feedbackWindow`.' })
  round!: number;
  @ApiProperty({
    enum: SLA_CLOCK_VIEW_STATUSES,
    description:
      'When asked: `running` counting before its due time; `breached` counting past it (or recorded ' +
      'breached in this round); `paused` not counting while the case is suspended (no due time); `met` ' +
      'ended by the event it waits for (in time or not: see `breachedAt`); `stopped` ended by anything ' +
      'else (closed, withdrawn, merged, the feedback window expired, ruled unreasonable, reopened).',
  })
  status!: SlaClockViewStatus;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'When it runs out, on the business calendar, after pauses and extensions; null while paused.',
  })
  dueAt!: string | null;
  @ApiProperty({ description: 'Counted time the limit allows, extensions included (milliseconds).' })
  budgetMs!: number;
  @ApiProperty({
    enum: ['business', 'calendar'],
    description: 'How it counts: business hours on business days, or all the time (calendar).',
  })
  counting!: 'business' | 'calendar';
  @ApiProperty({
    description:
      'Counted time used so far (milliseconds: business time, or calendar time for a clock that counts ' +
      'all the time); frozen when it ends.',
  })
  businessMsUsed!: number;
  @ApiProperty({ description: '`budgetMs` − `businessMsUsed`: what is left, negative when overdue.' })
  remainingMs!: number;
  @ApiProperty({ nullable: true, type: String }) stoppedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the suspension pausing it began.' })
  pausedSince!: string | null;
  @ApiProperty({ description: 'Wall-clock time spent paused, the current pause so far included.' })
  pausedMs!: number;
  @ApiProperty() extensionDays!: number;
  @ApiProperty({ nullable: true, type: String, description: 'The last warning of this round.' })
  warnedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) breachedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'When the breach was escalated to supervision.' })
  escalatedAt!: string | null;
}

export class CaseDetailView extends CaseSummaryView {
  @ApiProperty() description!: string;
  @ApiProperty({ nullable: true, type: String }) address!: string | null;
  @ApiProperty({ nullable: true, type: String }) gridCode!: string | null;
  @ApiProperty({ nullable: true, type: Number }) latitude!: number | null;
  @ApiProperty({ nullable: true, type: Number }) longitude!: number | null;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) attachments!: unknown[];
  @ApiProperty({ nullable: true, type: String }) handoverToId!: string | null;
  @ApiProperty() openReferrals!: number;
  @ApiProperty({ nullable: true, type: String }) responseDueAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) resolutionDueAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) firstContactAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) satisfaction!: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) solved!: boolean | null;
  @ApiProperty() returnCount!: number;
  @ApiProperty() reopenCount!: number;
  @ApiProperty() supervisionCount!: number;
  @ApiProperty() ruledUnreasonable!: boolean;
  @ApiProperty({ nullable: true, type: String }) mergedInto!: string | null;
  @ApiProperty({
    type: [TimelineEntryView],
    description:
      'The first `timelineLimit` entries of the timeline, oldest first (for residents: what happened ' +
      'and when, without staff ids or internal changes).',
  })
  timeline!: TimelineEntryView[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` to `GET /cases/{id}/timeline` for the next entries; null when none.',
  })
  timelineNextCursor!: string | null;
  @ApiProperty({
    type: [SlaClockView],
    description:
      'The clocks the SLA watcher has set due times for, in their current round (dispatch, response, ' +
      'resolution, feedbackWindow); none before it has seen the case.',
  })
  slaClocks!: SlaClockView[];
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class TimelinePageView {
  @ApiProperty({ type: [TimelineEntryView], description: 'Oldest first.' }) items!: TimelineEntryView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class ResidentCaseView {
  @ApiProperty() caseId!: string;
  @ApiProperty() caseNumber!: string;
  @ApiProperty() title!: string;
  @ApiProperty() channel!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ nullable: true, type: String }) matterCode!: string | null;
  @ApiProperty() submittedAt!: string;
  @ApiProperty() lastEventAt!: string;
  @ApiProperty({ nullable: true, type: String }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) closedAt!: string | null;
  @ApiProperty({ description: 'Resolved and waiting for your rating.' }) awaitingFeedback!: boolean;
  @ApiProperty({ nullable: true, type: String }) satisfaction!: string | null;
  @ApiProperty() version!: number;
}

export class ResidentCaseListView {
  @ApiProperty({ type: [ResidentCaseView] }) items!: ResidentCaseView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class WorklistItemView {
  @ApiProperty() caseId!: string;
  @ApiProperty() caseNumber!: string;
  @ApiProperty() title!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ enum: ['designated', 'owner', 'handover_offered'] }) reason!: string;
  @ApiProperty({ nullable: true, type: String }) matterCode!: string | null;
  @ApiProperty() suspended!: boolean;
  @ApiProperty({ nullable: true, type: String }) nextDueAt!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty() submittedAt!: string;
  @ApiProperty() since!: string;
  @ApiProperty() version!: number;
}

export class WorklistView {
  @ApiProperty({ type: [WorklistItemView] }) items!: WorklistItemView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class ReferralView {
  @ApiProperty() caseId!: string;
  @ApiProperty() referralId!: string;
  @ApiProperty() caseNumber!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String }) matterCode!: string | null;
  @ApiProperty({ enum: ['office', 'agency'] }) target!: string;
  @ApiProperty() toOrgUnit!: string;
  @ApiProperty() request!: string;
  @ApiProperty() referredAt!: string;
  @ApiProperty() referredBy!: string;
  @ApiProperty({ enum: ['open', 'completed', 'cancelled'] }) status!: string;
  @ApiProperty({ nullable: true, type: String }) completedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) outcome!: string | null;
}

export class ReferralListView {
  @ApiProperty({ type: [ReferralView] }) items!: ReferralView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class RevealedByView {
  @ApiProperty({ example: 'demo-cadre-taiyangcheng' }) id!: string;
  @ApiProperty({ example: 'cadre' }) role!: string;
  @ApiProperty({ nullable: true, type: String, example: 'pc.gucheng.taiyangcheng' }) orgUnit!: string | null;
}

export class ContactRevealView {
  @ApiProperty() caseId!: string;
  @ApiProperty({ example: 'PC-20261127-000001' }) caseNumber!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'When the full number was shown.' }) revealedAt!: string;
  @ApiProperty({ type: RevealedByView, description: 'Who asked for it.' }) revealedBy!: RevealedByView;
  @ApiProperty({ description: 'Why, as they gave it (phone and ID numbers masked).' }) reason!: string;
  @ApiProperty({ description: 'The case version the reveal was recorded as.' }) version!: number;
}

export class ContactRevealListView {
  @ApiProperty({ type: [ContactRevealView] }) items!: ContactRevealView[];
  @ApiProperty({ nullable: true, type: String }) nextCursor!: string | null;
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}
