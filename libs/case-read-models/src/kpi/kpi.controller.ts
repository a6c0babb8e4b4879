import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { InvalidPositionError } from '@tongban/event-store';
import { ApiProblems } from '@tongban/http';
import { PositionAheadError } from '@tongban/projections';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { kpiCsv } from './kpi-csv';
import { KpiQuery, KpiRankingsQuery, KpiRankingsView, KpiView } from './kpi.dto';
import { KpiReads, KpiUnitNotFoundError } from './kpi.reads';

const SCOPE =
  'For dispatchers, supervisors and admins within the unit they act for (a street’s: the street and its ' +
  'communities; a district’s: all of it). A unit outside that scope answers exactly like one without KPI ' +
  'facts in the range: 404 `kpi.unit_not_found`. Pass the `position` of your last command as `after` to ' +
  'read your own writes; `consistency.status` says whether the read model had reached it.';

const KPI =
  'Per period (days, ISO weeks or calendar months, Asia/Shanghai) and per unit at the `by` level under `unit`: ' +
  'the KPI counters summed (received, returned, responded in time, resolved in time, rated, satisfied …) and ' +
  'the three rates (三率: 响应率, 解决率, 满意率) with 按期办结率, 派单准确率 and 重新办理率, computed by the named, ' +
  'versioned KPI `definition` the answer names. Cases ruled unreasonable are excluded. At most 366 days. ';

/** "The three rates" (issue 14): KPIs by named, versioned definitions, as JSON, CSV and rankings. */
@ApiTags('KPIs')
@Controller('kpi')
@Roles('dispatcher', 'supervisor', 'admin')
@ApiProblems(InvalidPositionError, PositionAheadError, KpiUnitNotFoundError)
export class KpiController {
  constructor(private readonly reads: KpiReads) {}

  @Get()
  @ApiOperation({
    summary: 'The three rates and their companions of a unit, per period',
    description: KPI + SCOPE,
  })
  @ApiOkResponse({ type: KpiView })
  kpi(@CurrentPrincipal() principal: Principal, @Query() query: KpiQuery): Promise<KpiView> {
    return this.reads.kpiOf(principal, query);
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
