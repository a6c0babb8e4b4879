import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '@tongban/config';
import { CATALOGUE_STREAM, DIRECTORY_STREAM } from '@tongban/directory';
import { EVENT_STORE, type EventStore } from '@tongban/event-store';
import { ApiProblems } from '@tongban/http';
import { Roles } from '@tongban/security';
import { directorySourceOf } from '../directory/case-directory';
import { StoredDirectory } from '../directory/stored-directory';
import { DirectoryUnavailableError } from '../find-one-person/find-one-person.controller';
import { auditEntry } from './directory-audit';
import {
  CHANGES_PAGE,
  DirectoryChangesQuery,
  DirectoryChangesView,
  DirectoryStatusView,
} from './directory-admin.views';
import { DirectoryChangeRunner } from './directory-change.runner';

/**
 * What the directory holds and how it came to be (issue 13): its versions and counts, and the
 * audit view — every change with who made it, when and why, newest first, read from the
 * `directory` and `catalogue` streams themselves (no read model to fall behind).
 */
@ApiTags('administration')
@Controller('admin/directory')
export class DirectoryStatusController {
  constructor(
    private readonly directory: StoredDirectory,
    private readonly changes: DirectoryChangeRunner,
    private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary: 'The directory: its source, versions and how many of each record it holds',
    description: 'As the store holds it now (other processes’ changes included).',
  })
  @ApiOkResponse({ type: DirectoryStatusView })
  @ApiProblems(DirectoryUnavailableError)
  async status(): Promise<DirectoryStatusView> {
    this.changes.requireDirectory();
    await this.directory.refresh();
    const source = directorySourceOf(this.config) === 'demo' ? 'demo' : 'store';
    const directory = this.directory.current();
    if (!directory) {
      // No district yet: nothing to count, though the streams may hold a change or two already.
      const [dir, cat] = await Promise.all([
        this.store.streamState(DIRECTORY_STREAM),
        this.store.streamState(CATALOGUE_STREAM),
      ]);
      return {
        source,
        district: null,
        directoryVersion: dir.version,
        catalogueVersion: cat.version,
        counts: {
          streets: 0,
          communities: 0,
          grids: 0,
          cadres: 0,
          cadresInPost: 0,
          staff: 0,
          units: 0,
          matters: 0,
          dutyDays: 0,
          rotations: 0,
          addresses: 0,
        },
      };
    }
    const s = directory.snapshot;
    return {
      source,
      district: { code: s.district.code, name: s.district.name },
      directoryVersion: directory.version,
      catalogueVersion: directory.catalogueVersion,
      counts: {
        streets: s.streets.length,
        communities: s.communities.length,
        grids: s.grids.length,
        cadres: s.cadres.length,
        cadresInPost: s.cadres.filter((c) => c.status === 'active').length,
        staff: s.staff.length,
        units: s.units.length,
        matters: s.matters.length,
        dutyDays: s.duty.length,
        rotations: s.rotations.length,
        addresses: s.addresses.length,
      },
    };
  }

  @Get('changes')
  @Roles('admin')
  @ApiOperation({
    summary: 'The audit view: every change to the directory or the catalogue, newest first',
    description:
      'Who made each change, when and why, and what changed; an import shows its data set, part and record ' +
      'count. Paged by version: pass `next` as `before` for the older page.',
  })
  @ApiOkResponse({ type: DirectoryChangesView })
  @ApiProblems(DirectoryUnavailableError)
  async list(@Query() query: DirectoryChangesQuery): Promise<DirectoryChangesView> {
    this.changes.requireDirectory();
    const stream = query.stream ?? DIRECTORY_STREAM;
    const limit = query.limit ?? CHANGES_PAGE.default;
    if (query.before !== undefined && query.before <= 1) return { stream, changes: [], next: null };
    const events = await this.store.readStream(stream, {
      direction: 'backwards',
      maxCount: limit,
      ...(query.before === undefined ? {} : { fromVersion: query.before - 1 }),
    });
    const last = events[events.length - 1];
    return {
      stream,
      changes: events.map((event) => auditEntry(stream, event)),
      next: events.length === limit && last && last.version > 1 ? last.version : null,
    };
  }
}
