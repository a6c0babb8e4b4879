import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InvalidPositionError } from '@tongban/event-store';
import { ApiProblems } from '@tongban/http';
import { PositionAheadError } from '@tongban/projections';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { WorkloadQuery, WorkloadView } from './cadre-workload.dto';
import { CadreWorkloadReads, WorkloadUnitNotFoundError } from './cadre-workload.reads';

/** "Cadre workload for dispatchers" (issue 13): whom to dispatch to, least loaded first. */
@ApiTags('case queries')
@Controller('workload')
export class CadreWorkloadController {
  constructor(private readonly reads: CadreWorkloadReads) {}

  @Get()
  @Roles('dispatcher', 'supervisor', 'admin')
  @ApiOperation({
    summary: 'The cadres of a community or street with their workload, least loaded first',
    description:
      'Per cadre who has taken cases in the unit: open cases (dispatched to them or accepted, not yet resolved), ' +
      'of which accepted and suspended, hand-overs offered to them, and how many resolution deadlines fall ' +
      'within the next 24 hours or have passed. For dispatchers, supervisors and admins within the unit they act ' +
      'for (a district’s: any street or community of it). A unit outside that scope answers exactly like one ' +
      'where no cadre has taken a case: 404 `workload.org_unit_not_found`. Pass the `position` of your last ' +
      'command as `after` to read your own writes; `consistency.status` says whether the read model had reached it.',
  })
  @ApiOkResponse({ type: WorkloadView })
  @ApiProblems(InvalidPositionError, PositionAheadError, WorkloadUnitNotFoundError)
  workload(@CurrentPrincipal() principal: Principal, @Query() query: WorkloadQuery): Promise<WorkloadView> {
    return this.reads.workloadOf(principal, query);
  }
}
