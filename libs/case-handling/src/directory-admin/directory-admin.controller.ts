import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationFailedError } from '@tongban/errors';
import { ApiProblems } from '@tongban/http';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { ApiPersonParam, ApiUnitParam, PathParam } from './directory-admin.fields';
import {
  AddCommunityRequest,
  AddStreetRequest,
  AddUnitRequest,
  AppointCadreRequest,
  AssignGridCadreRequest,
  DrawGridRequest,
  EndCadrePostRequest,
  NameDistrictRequest,
  RecordLeaveRequest,
  RegisterAddressesRequest,
  SetDutyRotaRequest,
} from './directory-admin.request.dto';
import { DirectoryChangeResponse } from './directory-admin.views';
import { DirectoryChangeRunner, directoryChangeProblems } from './directory-change.runner';

const CHANGED = {
  type: DirectoryChangeResponse,
  description: 'Stored: the versions after the change (routing cites them from now on) and its events.',
};

/**
 * Changing the directory (issue 13, ADR 0024): the org tree, grids, cadres, their leave and the
 * duty rota, street units and addresses. Admins only; each change is decided on the latest
 * version by `decideChange`, which checks it whole before anything is stored, and is recorded
 * with who made it, when and why (`GET /admin/directory/changes`). Cases already routed keep the
 * version they cite; the next routing decision uses the new one.
 */
@ApiTags('administration')
@Controller('admin/directory')
export class DirectoryAdminController {
  constructor(private readonly changes: DirectoryChangeRunner) {}

  @Post('district')
  @Roles('admin')
  @ApiOperation({
    summary: 'Name the directory’s district (the first change of an empty directory)',
    description: 'Once: 409 `directory.already_exists` when the directory has a district.',
  })
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(directoryChangeProblems('directory.already_exists'))
  nameDistrict(
    @CurrentPrincipal() principal: Principal,
    @Body() body: NameDistrictRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'NameDistrict',
      code: body.code,
      name: body.name,
    });
  }

  @Post('streets')
  @Roles('admin')
  @ApiOperation({
    summary: 'Add a street (街道) to the district',
    description: '422 `directory.unknown_parent` when the code is not under the directory’s district.',
  })
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(directoryChangeProblems('directory.already_exists'))
  addStreet(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AddStreetRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, { type: 'AddStreet', code: body.code, name: body.name });
  }

  @Post('communities')
  @Roles('admin')
  @ApiOperation({
    summary: 'Add a community (社区) to a street',
    description: '422 `directory.unknown_parent` when the street its code names is not in the directory.',
  })
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(directoryChangeProblems('directory.already_exists'))
  addCommunity(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AddCommunityRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'AddCommunity',
      code: body.code,
      name: body.name,
    });
  }

  @Post('grids')
  @Roles('admin')
  @ApiOperation({
    summary: 'Draw a grid (网格), or redraw one',
    description:
      'A new grid under a community of the directory, or a grid’s boundary and name redrawn (its cadre stays). ' +
      '422 `directory.invalid_boundary` for a polygon that crosses itself, `directory.grids_overlap` for one ' +
      'that overlaps another grid (sharing an edge is fine).',
  })
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(directoryChangeProblems('directory.invalid_boundary', 'directory.grids_overlap'))
  drawGrid(
    @CurrentPrincipal() principal: Principal,
    @Body() body: DrawGridRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'DrawGrid',
      code: body.code,
      name: body.name,
      boundary: body.boundary.map(({ lat, lng }) => ({ lat, lng })),
    });
  }

  @Post('grids/:code/responsible-cadre')
  @Roles('admin')
  @ApiOperation({
    summary: 'Make a cadre responsible for a grid (网格长), or none',
    description:
      'The next case located in the grid goes to this cadre (cases routed before keep theirs). 404 ' +
      '`directory.not_found` for a grid the directory does not have; 422 `directory.unknown_cadre` or ' +
      '`directory.not_in_community` for a cadre not in post in the grid’s community.',
  })
  @ApiUnitParam('code', 'grid', 'pc.gucheng.taiyangcheng.g01')
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(
    directoryChangeProblems('directory.not_found', 'directory.unknown_cadre', 'directory.not_in_community'),
  )
  assignGridCadre(
    @CurrentPrincipal() principal: Principal,
    @Param('code', PathParam.unit('code', 'grid')) grid: string,
    @Body() body: AssignGridCadreRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'AssignGridCadre',
      grid,
      cadreId: body.cadreId,
    });
  }

  @Post('cadres')
  @Roles('admin')
  @ApiOperation({
    summary: 'Appoint a cadre (挂牌上岗) in a community',
    description:
      'A cadre works in one community: 409 `directory.cadre_in_two_communities` while they are in post in ' +
      'another (end that post first), `directory.badge_taken` for a badge another cadre in post wears. A cadre ' +
      'who left may be appointed again.',
  })
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(
    directoryChangeProblems(
      'directory.already_exists',
      'directory.cadre_in_two_communities',
      'directory.badge_taken',
    ),
  )
  appointCadre(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AppointCadreRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'AppointCadre',
      cadre: {
        id: body.id,
        badge: body.badge,
        name: body.name,
        community: body.community,
        post: body.post,
        duties: [...body.duties],
        phone: body.phone,
        demo: false,
      },
    });
  }

  @Post('cadres/:cadre/departure')
  @Roles('admin')
  @ApiOperation({
    summary: 'End a cadre’s post',
    description:
      'They are never routed to again; the grids they were responsible for have none until one is assigned. ' +
      '404 `directory.not_found` for a cadre the directory does not have; 409 `directory.cadre_not_in_post` ' +
      'when they left already.',
  })
  @ApiPersonParam('cadre', 'cadre-gucheng-taiyangcheng-09')
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(directoryChangeProblems('directory.not_found', 'directory.cadre_not_in_post'))
  endCadrePost(
    @CurrentPrincipal() principal: Principal,
    @Param('cadre', PathParam.person('cadre')) cadreId: string,
    @Body() body: EndCadrePostRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, { type: 'EndCadrePost', cadreId });
  }

  @Post('cadres/:cadre/leave')
  @Roles('admin')
  @ApiOperation({
    summary: 'Record a cadre’s leave, and who stands in (代岗)',
    description:
      'From `from` to `to`, both included (Asia/Shanghai days): cases in their grids go to the stand-in (rule ' +
      '`stand_in`), or without one to the community’s cadre on duty. 422 `directory.stand_in_cycle` when the ' +
      'stand-ins would go round in a circle on some day, `directory.invalid_days` for days out of order or more ' +
      'than 366 of them.',
  })
  @ApiPersonParam('cadre', 'demo-cadre-taiyangcheng')
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(
    directoryChangeProblems(
      'directory.not_found',
      'directory.cadre_not_in_post',
      'directory.invalid_days',
      'directory.stand_in_cycle',
      'directory.unknown_cadre',
      'directory.not_in_community',
    ),
  )
  recordLeave(
    @CurrentPrincipal() principal: Principal,
    @Param('cadre', PathParam.person('cadre')) cadreId: string,
    @Body() body: RecordLeaveRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'RecordLeave',
      cadreId,
      from: body.from,
      to: body.to,
      standInId: body.standInId ?? null,
    });
  }

  @Post('communities/:code/duty-rota')
  @Roles('admin')
  @ApiOperation({
    summary: 'Set a community’s duty rota (值班) for consecutive days',
    description:
      'The days replace what they had. 422 `directory.rota_gap` for a day missing or given twice, or a rota ' +
      'that starts after the current one ends plus one day (nobody on duty in between); ' +
      '`directory.unknown_cadre` or `directory.not_in_community` for a cadre not in post in the community.',
  })
  @ApiUnitParam('code', 'community', 'pc.gucheng.taiyangcheng')
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(
    directoryChangeProblems(
      'directory.not_found',
      'directory.rota_gap',
      'directory.invalid_days',
      'directory.unknown_cadre',
      'directory.not_in_community',
    ),
  )
  setDutyRota(
    @CurrentPrincipal() principal: Principal,
    @Param('code', PathParam.unit('code', 'community')) community: string,
    @Body() body: SetDutyRotaRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'SetDutyRota',
      community,
      days: body.days.map(({ day, cadreId }) => ({ day, cadreId })),
    });
  }

  @Post('units')
  @Roles('admin')
  @ApiOperation({
    summary: 'Add a street’s office, service unit or stationed agency',
    description:
      'Under the street its code names (422 `directory.unknown_parent` otherwise). A stationed agency names its ' +
      '`agencyType`; an office or service unit does not (400 otherwise).',
  })
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(directoryChangeProblems('directory.already_exists'))
  addUnit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: AddUnitRequest,
  ): Promise<DirectoryChangeResponse> {
    const agency = body.kind === 'stationedAgency';
    if (agency !== (body.agencyType !== undefined)) {
      throw new ValidationFailedError('A stationed agency, and only a stationed agency, has an agencyType.', [
        {
          field: 'agencyType',
          reason: 'agencyTypeOfAgencies',
          message: agency ? 'required for a stationed agency' : 'only for a stationed agency',
        },
      ]);
    }
    return this.changes.run(principal, body.reason, {
      type: 'AddUnit',
      unit: {
        code: body.code,
        street: body.code.slice(0, body.code.lastIndexOf('.')),
        kind: body.kind,
        name: body.name,
        agencyType: body.agencyType ?? null,
      },
    });
  }

  @Post('addresses')
  @Roles('admin')
  @ApiOperation({
    summary: 'Register addresses in their grids (up to 500 at once)',
    description:
      'Lookups and routing find them by what a resident writes. 422 `directory.unknown_grid` for a grid the ' +
      'directory does not have: then none is registered.',
  })
  @ApiCreatedResponse(CHANGED)
  @ApiProblems(directoryChangeProblems('directory.unknown_grid'))
  registerAddresses(
    @CurrentPrincipal() principal: Principal,
    @Body() body: RegisterAddressesRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'RegisterAddresses',
      addresses: body.addresses.map(({ text, grid }) => ({ text, grid })),
    });
  }
}
