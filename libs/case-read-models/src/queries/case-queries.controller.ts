import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { caseProblems } from '@tongban/case-handling';
import { InvalidPositionError } from '@tongban/event-store';
import { ApiProblems, ApiUuidParam } from '@tongban/http';
import { PositionAheadError } from '@tongban/projections';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { CaseReads } from './case-reads';
import { InvalidCursorError } from './paging';
import {
  CaseDetailQuery,
  CaseDetailView,
  CaseListView,
  ListCasesQuery,
  ReadQuery,
  ContactRevealListView,
  ReferralListView,
  ReferralsQuery,
  ResidentCaseListView,
  TimelinePageView,
  TimelineQuery,
  WORKLIST_DUE_SOON_HOURS,
  WorklistQuery,
  WorklistView,
} from './case-queries.dto';

const CONSISTENCY_NOTE =
  ' Pass the `position` of your last command as `after` to read your own writes; the answer says in ' +
  '`consistency.status` whether the read models had reached it (`current`) or the bounded wait ran out (`behind`). ' +
  'A position no command can have returned (beyond the event store) is 400 `query.position_ahead` at once.';

@ApiTags('case queries')
@ApiProblems(InvalidPositionError, PositionAheadError)
@Controller('cases')
export class CaseQueriesController {
  constructor(private readonly reads: CaseReads) {}

  @Get()
  @Roles('resident', 'channel', 'cadre', 'dispatcher', 'office_staff', 'supervisor')
  @ApiOperation({
    summary: 'Cases the caller may see, filtered and paged',
    description:
      'Scoped by the token: a resident sees their own cases, a cadre their community and the cases they own, ' +
      'office staff their referrals, a supervisor their street or the district. Phone and ID numbers are masked.' +
      CONSISTENCY_NOTE,
  })
  @ApiOkResponse({ type: CaseListView })
  @ApiProblems(InvalidCursorError)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListCasesQuery): Promise<CaseListView> {
    return this.reads.list(principal, query);
  }

  @Get(':id')
  @Roles('resident', 'channel', 'cadre', 'dispatcher', 'office_staff', 'supervisor')
  @ApiOperation({
    summary: 'One case: detail, the first page of its timeline (audit view) and SLA clocks',
    description:
      'A case outside the caller’s scope answers 404, like a missing one. The timeline comes oldest ' +
      'first, `timelineLimit` entries at most; `timelineNextCursor` pages on through ' +
      '`GET /cases/{id}/timeline`.' +
      CONSISTENCY_NOTE,
  })
  @ApiUuidParam('id', 'The case id.')
  @ApiOkResponse({ type: CaseDetailView })
  @ApiProblems(caseProblems('case.not_found'))
  detail(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: CaseDetailQuery,
  ): Promise<CaseDetailView> {
    return this.reads.detail(principal, id, query);
  }

  @Get(':id/timeline')
  @Roles('resident', 'channel', 'cadre', 'dispatcher', 'office_staff', 'supervisor')
  @ApiOperation({
    summary: 'One case’s timeline, oldest first, paged',
    description:
      'Who may read it and what they see is as for the detail: out of scope is 404, residents see ' +
      'what happened and when, without staff ids or internal changes. Start from the detail’s ' +
      '`timelineNextCursor` (or without a cursor, from the first entry).' +
      CONSISTENCY_NOTE,
  })
  @ApiUuidParam('id', 'The case id.')
  @ApiOkResponse({ type: TimelinePageView })
  @ApiProblems(caseProblems('case.not_found'), InvalidCursorError)
  timeline(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: TimelineQuery,
  ): Promise<TimelinePageView> {
    return this.reads.timelineOf(principal, id, query);
  }
}

@ApiTags('case queries')
@ApiProblems(InvalidPositionError, PositionAheadError, InvalidCursorError)
@Controller()
export class WorkQueuesController {
  constructor(private readonly reads: CaseReads) {}

  @Get('me/cases')
  @Roles('resident')
  @ApiOperation({ summary: 'My requests (resident), newest first.' + CONSISTENCY_NOTE })
  @ApiOkResponse({ type: ResidentCaseListView })
  mine(@CurrentPrincipal() principal: Principal, @Query() query: ReadQuery): Promise<ResidentCaseListView> {
    return this.reads.mine(principal, query);
  }

  @Get('worklist')
  @Roles('cadre')
  @ApiOperation({
    summary: 'My worklist (cadre): cases to accept, handle or take over, nearest due time first.',
    description:
      '`nextDueAt` is the nearest due time of the case’s response and resolution clocks still counting, as ' +
      'the SLA watcher computed it on the business calendar; cases with none (paused, or not timed yet) come ' +
      `last. \`due=soon\` lists those due within the next ${WORKLIST_DUE_SOON_HOURS} hours, \`due=overdue\` ` +
      'those whose due time has passed.' +
      CONSISTENCY_NOTE,
  })
  @ApiOkResponse({ type: WorklistView })
  worklist(@CurrentPrincipal() principal: Principal, @Query() query: WorklistQuery): Promise<WorklistView> {
    return this.reads.worklistOf(principal, query);
  }

  @Get('referrals')
  @Roles('office_staff')
  @ApiOperation({
    summary: 'Steps referred to my office or agency, oldest first (default: open ones).' + CONSISTENCY_NOTE,
  })
  @ApiOkResponse({ type: ReferralListView })
  referrals(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ReferralsQuery,
  ): Promise<ReferralListView> {
    return this.reads.referralsOf(principal, query);
  }

  @Get('contact-reveals')
  @Roles('supervisor')
  @ApiOperation({
    summary: 'Who was shown a resident’s full phone number, on which case, when and why: newest first',
    description:
      'Every recorded reveal (`POST /cases/{id}/contact-details/reveal`) on the cases of your street, or the ' +
      'district’s for a district supervisor. The number itself is never listed.' +
      CONSISTENCY_NOTE,
  })
  @ApiOkResponse({ type: ContactRevealListView })
  @ApiProblems(InvalidCursorError)
  contactReveals(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ReadQuery,
  ): Promise<ContactRevealListView> {
    return this.reads.revealsOf(principal, query);
  }
}
