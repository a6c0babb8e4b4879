import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CadreRecord, Directory, Place } from '@tongban/directory';
import { TongbanError, ValidationFailedError } from '@tongban/errors';
import { ApiProblems } from '@tongban/http';
import { maskPhone } from '@tongban/logging';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { CLOCK, type Clock } from '../clock';
import { CASE_DIRECTORY, type CaseDirectory } from '../route-case/case-directory.provider';
import { localDay } from '../submit-case/case-number-blocks';
import { CadreCardView, FindOnePersonQuery, OnePersonView } from './find-one-person.dto';

/** This deployment has no directory (`DIRECTORY_SOURCE=none`). */
export class DirectoryUnavailableError extends TongbanError {
  readonly code = 'directory.unavailable';
  readonly kind = 'unavailable';
}

/**
 * "Who is my one person" (issue 13): the community and grid of an address or a point, the grid's
 * responsible cadre as their badge shows them, and who stands in today when they are away. A read
 * of the directory: no case, no event. Residents see phone numbers masked and no staff ids.
 */
@ApiTags('directory')
@Controller('directory')
export class FindOnePersonController {
  constructor(
    @Inject(CASE_DIRECTORY) private readonly directories: CaseDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  @Get('lookup')
  @Roles('resident', 'channel', 'cadre', 'dispatcher', 'office_staff', 'supervisor', 'admin')
  @ApiOperation({
    summary: 'Who is my one person (找到一个人): the cadre for an address or a point',
    description:
      'Give `address`, or `lat` and `lng` — exactly one of the two (400 `request.validation_failed` ' +
      'otherwise). Answers the place (street, community, grid), the grid’s responsible cadre and who stands in ' +
      'today; `located` is null when the directory cannot place it. 503 `directory.unavailable` where the ' +
      'deployment has no directory.',
  })
  @ApiOkResponse({ type: OnePersonView })
  @ApiProblems(DirectoryUnavailableError)
  lookup(@CurrentPrincipal() principal: Principal, @Query() query: FindOnePersonQuery): OnePersonView {
    const where = exactlyOne(query);
    const directory = this.directories.current();
    if (!directory) throw new DirectoryUnavailableError('This deployment has no directory to look up.');
    const day = localDay(this.clock.now().toISOString(), this.options.timeZone);
    const place: Place | undefined =
      where.kind === 'address' ? directory.placeOf(where.address) : directory.placeAt(where.point);
    const community = place ? directory.community(place.community) : undefined;
    const street = community ? directory.street(community.street) : undefined;
    if (!place || !community || !street) {
      return { located: null, cadre: null, standIn: null, day, directoryVersion: directory.version };
    }
    const grid = place.grid === null ? undefined : directory.grid(place.grid);
    const resident = principal.role === 'resident';
    const card = (cadre: CadreRecord): CadreCardView => ({
      id: resident ? null : cadre.id,
      name: cadre.name,
      badge: cadre.badge,
      post: cadre.post,
      duties: [...cadre.duties],
      phone: resident ? maskPhone(cadre.phone) : cadre.phone,
      present: directory.isPresent(cadre.id, day),
    });
    const responsible = grid?.responsibleCadreId ? directory.cadre(grid.responsibleCadreId) : undefined;
    const away = !responsible || !directory.isPresent(responsible.id, day);
    const standInCadre = away ? standInFor(directory, responsible, community.code, day) : undefined;
    return {
      located: {
        by: where.kind,
        street: { code: street.code, name: street.name },
        community: { code: community.code, name: community.name },
        grid: grid ? { code: grid.code, name: grid.name } : null,
      },
      cadre: responsible ? card(responsible) : null,
      standIn: standInCadre ? card(standInCadre) : null,
      day,
      directoryVersion: directory.version,
    };
  }
}

/**
 * Who stands in today for an absent (or missing) grid cadre, as routing would choose: the stand-in
 * their leave names (代岗), when present; else the community's on-duty cadre, when present.
 */
function standInFor(
  directory: Directory,
  responsible: CadreRecord | undefined,
  community: string,
  day: string,
): CadreRecord | undefined {
  const named = responsible ? directory.standInFor(responsible.id, day) : undefined;
  for (const id of [named, directory.onDuty(community, day)]) {
    const cadre = id === undefined ? undefined : directory.cadre(id);
    if (
      cadre &&
      cadre.id !== responsible?.id &&
      cadre.community === community &&
      directory.isPresent(cadre.id, day)
    ) {
      return cadre;
    }
  }
  return undefined;
}

type Where = { kind: 'address'; address: string } | { kind: 'point'; point: { lat: number; lng: number } };

function exactlyOne(query: FindOnePersonQuery): Where {
  const hasPoint = query.lat !== undefined || query.lng !== undefined;
  if (query.address !== undefined && !hasPoint) return { kind: 'address', address: query.address };
  if (query.address === undefined && query.lat !== undefined && query.lng !== undefined) {
    return { kind: 'point', point: { lat: query.lat, lng: query.lng } };
  }
  throw new ValidationFailedError('Give an address, or lat and lng: exactly one of the two.', [
    {
      // Half a point names the half missing; anything else (nothing, or both kinds) the address.
      field: query.address === undefined && hasPoint ? (query.lat === undefined ? 'lat' : 'lng') : 'address',
      reason: 'exactlyOneLocation',
      message: 'give address, or lat and lng',
    },
  ]);
}
