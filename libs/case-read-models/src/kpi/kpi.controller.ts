import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InvalidPositionError } from '@tongban/event-store';
import { ApiProblems } from '@tongban/http';
import { PositionAheadError } from '@tongban/projections';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { kpiCsv } from './kpi-csv';
import {
  KpiCadreQuery,
  KpiCadresQuery,
  KpiCadresView,
  KpiCadreView,
  KpiQuery,
  KpiRankingsQuery,
  KpiRankingsView,
  KpiView,
} from './kpi.dto';
import { KpiCadreNotFoundError, KpiReads, KpiUnitNotFoundError } from './kpi.reads';

const SCOPE =
  'For dispatchers, supervisors and admins within the unit they act for (a street’s: the street and its ' +
  'communities; a district’s: all of it). A unit outside that scope answers exactly like one without KPI ' +
  'facts in the range: 404 `kpi.unit_not_found`. Pass the `position` of your last command as `after` to ' +
  'read your own writes; `consistency.status` says whether the read model had reached it.';

const KPI =
  'Per period (days, ISO weeks or calendar months, Asia/Shanghai) and per unit at the `by` level under `unit`: ' +
  'the KPI counters summed (received, returned, responded in time, resolved in time, rated, satisfied …) and ' +
  'the three rates (三率: 响应率, 解决率, 满意率) with 按期办结率, 派单准确率 and 重新办理率, computed by the named, ' +
  'versioned KPI `definition` the answer names. Cases ruled unreasonable are excluded. At most 366 days. ' +
  '`matter` cuts the answer to one matter, `category` to the matters the catalogue files under a category now. ';

const CADRE_FACTS =
  'Each count goes to the cadre answering for the case when it happened: a receipt to the cadre it was ' +
  'dispatched to, a return (退单) against the cadre who returned it, a contact, resolution or breach to the ' +
  'owner (before acceptance: the cadre it was dispatched to), feedback and a reopening against the owner who ' +
  'resolved it; counts made before a hand-over stay with the cadre who made them. Breaches while no cadre ' +
  'answered for the case (not dispatched yet, in a queue) count for the unit only. ';

/** "The three rates" (issue 14): KPIs by named, versioned definitions, as JSON, CSV and rankings. */
@ApiTags('KPIs')
@Controller('kpi')
@Roles('dispatcher', 'supervisor', 'admin')
@ApiProblems(InvalidPositionError, PositionAheadError)
export class KpiController {
  constructor(private readonly reads: KpiReads) {}

  @Get()
  @ApiOperation({
    summary: 'The three rates and their companions of a unit, per period',
    description: KPI + SCOPE,
  })
  @ApiProblems(KpiUnitNotFoundError)
  @ApiOkResponse({ type: KpiView })
  kpi(@CurrentPrincipal() principal: Principal, @Query() query: KpiQuery): Promise<KpiView> {
    return this.reads.kpiOf(principal, query);
  }

  @Get('cadre')
  @Roles('cadre', 'dispatcher', 'supervisor', 'admin')
  @ApiOperation({
    summary: 'The three rates and their companions of one cadre, per period',
    description:
      KPI +
      CADRE_FACTS +
      'A cadre sees their own figures (from every unit they answered in); a dispatcher, supervisor or admin ' +
      'those a cadre counted in the unit they act for (a street’s: its communities; a district’s: all). Any ' +
      'other cadre, or one outside that scope, answers exactly like a cadre without KPI facts in the range: ' +
      '404 `kpi.cadre_not_found`. Pass the `position` of your last command as `after` to read your own writes.',
  })
  @ApiProblems(KpiCadreNotFoundError)
  @ApiOkResponse({ type: KpiCadreView })
  cadre(@CurrentPrincipal() principal: Principal, @Query() query: KpiCadreQuery): Promise<KpiCadreView> {
    return this.reads.cadreKpiOf(principal, query);
  }

  @Get('cadres')
  @ApiOperation({
    summary: 'The three rates and their companions of each cadre of a unit, per period',
    description:
      KPI +
      CADRE_FACTS +
      'One row per period and cadre with facts counted in units under `unit` in the range. ' +
      SCOPE,
  })
  @ApiProblems(KpiUnitNotFoundError)
  @ApiOkResponse({ type: KpiCadresView })
  cadres(@CurrentPrincipal() principal: Principal, @Query() query: KpiCadresQuery): Promise<KpiCadresView> {
    return this.reads.cadresKpiOf(principal, query);
  }

  @Get('rankings')
  @ApiOperation({
    summary: 'The communities of a street ranked for a month, as the 12345 bulletins publish them',
    description:
      'Each community of the street with KPI facts in the month, ranked by the definition’s composite order: ' +
      'satisfaction rate, then resolution rate, then response rate, highest first; communities whose counts ' +
      'are all zero last; equal units share a rank. ' +
      SCOPE,
  })
  @ApiProblems(KpiUnitNotFoundError)
  @ApiOkResponse({ type: KpiRankingsView })
  rankings(
    @CurrentPrincipal() principal: Principal,
    @Query() query: KpiRankingsQuery,
  ): Promise<KpiRankingsView> {
    return this.reads.rankingsOf(principal, query);
  }
}

/** `GET /api/v1/kpi.csv`: the same answer as a spreadsheet. A route of its own, since `kpi.csv` is no sub-path. */
@ApiTags('KPIs')
@Controller()
@Roles('dispatcher', 'supervisor', 'admin')
@ApiProblems(InvalidPositionError, PositionAheadError, KpiUnitNotFoundError)
export class KpiCsvController {
  constructor(private readonly reads: KpiReads) {}

  @Get('kpi.csv')
  @ApiOperation({
    summary: 'The same KPIs as a CSV file (UTF-8 with BOM, Chinese headers)',
    description:
      KPI +
      'One line per period and unit: 单位, 期间, 起始日, 截止日, the counters (受理量 …), the rates as percentages ' +
      'with one decimal (响应率(%) …; empty where there is no denominator) and 统计口径 (the definition). The file ' +
      'starts with a UTF-8 byte order mark so spreadsheet programs show the Chinese headers; text that would ' +
      'start a formula (=, +, -, @) is prefixed with an apostrophe. ' +
      SCOPE,
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({
    description: 'The KPIs as CSV.',
    content: { 'text/csv': { schema: { type: 'string' } } },
    headers: {
      'Content-Disposition': {
        description: 'attachment; filename="kpi-<unit>-<from>-<to>.csv"',
        schema: { type: 'string' },
      },
    },
  })
  async csv(
    @CurrentPrincipal() principal: Principal,
    @Query() query: KpiQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const view = await this.reads.kpiOf(principal, query);
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="kpi-${view.unit}-${view.from}-${view.to}.csv"`);
    return kpiCsv(view);
  }
}
