import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '@tongban/http';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { SetMatterRequest } from './directory-admin.request.dto';
import { DirectoryChangeResponse } from './directory-admin.views';
import { DirectoryChangeRunner, directoryChangeProblems } from './directory-change.runner';

/**
 * Changing the responsibility catalogue (权责清单, issue 13): its own stream, whose version routing
 * cites as `catalogueVersion`. Admins only, recorded with who, when and why like the directory's
 * changes.
 */
@ApiTags('administration')
@Controller('admin/catalogue')
export class CatalogueAdminController {
  constructor(private readonly changes: DirectoryChangeRunner) {}

  @Post('matters')
  @Roles('admin')
  @ApiOperation({
    summary: 'List a matter in the responsibility catalogue, or change its entry',
    description:
      'The responsible unit must be one some street has (422 `catalogue.unknown_responsible_unit` otherwise): ' +
      'an office or service unit by its name segment, a stationed agency by its type.',
  })
  @ApiCreatedResponse({
    type: DirectoryChangeResponse,
    description: 'Stored: the versions after the change (routing cites them from now on) and its events.',
  })
  @ApiProblems(directoryChangeProblems('catalogue.unknown_responsible_unit'))
  setMatter(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SetMatterRequest,
  ): Promise<DirectoryChangeResponse> {
    return this.changes.run(principal, body.reason, {
      type: 'SetMatter',
      matter: {
        code: body.code,
        name: body.name,
        category: body.category,
        responsible: { kind: body.responsible.kind, name: body.responsible.name },
        communityHandles: body.communityHandles,
        priority: body.priority,
        slaPolicyId: body.slaPolicyId,
      },
    });
  }
}
