import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { TongbanError } from '@tongban/errors';
import { EVENT_STORE, formatPosition, poolOf, type EventStore } from '@tongban/event-store';
import { Roles } from '@tongban/security';
import type { AnyProjection } from './projection';
import { readCheckpoints } from './postgres/projection-sql';
import { ProjectionRunner } from './postgres/projection-runner';
import { rebuildProjection, type RebuildProgress, type RebuildReport } from './postgres/rebuild';
import { PROJECTIONS } from './projections.tokens';

class ReadModelNotFoundError extends TongbanError {
  readonly code = 'read_model.not_found';
  readonly kind = 'not_found';
}

class RebuildRunningError extends TongbanError {
  readonly code = 'read_model.rebuild_running';
  readonly kind = 'conflict';
}

export interface ReadModelState {
  name: string;
  position: string;
  eventsApplied: number;
}

/**
 * Operating the read models where they run (projector, standalone): their positions, and a
 * blue/green rebuild of one of them in this process — the way to rebuild in standalone, whose
 * embedded database no other process can open. `npm run projections:rebuild` does the same
 * against a PostgreSQL server.
 */
@ApiTags('administration')
@Controller('admin/read-models')
export class ReadModelsAdminController {
  private running: { progress: RebuildProgress | null } | null = null;

  constructor(
    @Inject(PROJECTIONS) private readonly projections: readonly AnyProjection[],
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Read models: their checkpoints, the runner, and a rebuild in progress' })
  @ApiOkResponse({ description: 'Positions, events applied, runner status, rebuild progress.' })
  async list(): Promise<{
    readModels: ReadModelState[];
    runner: { running: boolean; caughtUp: boolean; failures: number; lastError: string | null };
    rebuild: RebuildProgress | null;
  }> {
    const rows = await readCheckpoints(
      poolOf(this.dataSource),
      this.projections.map((p) => p.name),
    );
    const status = this.runner.status;
    return {
      readModels: this.projections.map((p) => ({
        name: p.name,
        position: formatPosition(rows.get(p.name)?.position ?? { tx: 0n, seq: 0n }),
        eventsApplied: rows.get(p.name)?.eventsApplied ?? 0,
      })),
      runner: {
        running: status.running,
        caughtUp: status.caughtUp,
        failures: status.failures,
        lastError: status.lastError,
      },
      rebuild: this.running?.progress ?? null,
    };
  }

  @Post(':name/rebuild')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Rebuild one read model from the event store (blue/green, while serving)',
    description: 'Answers when the fresh tables are swapped in. One rebuild at a time per process.',
  })
  async rebuild(@Param('name') name: string): Promise<RebuildReport> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection)
      throw new ReadModelNotFoundError(`No read model called ${JSON.stringify(name.slice(0, 50))}.`);
    if (this.running)
      throw new RebuildRunningError('A rebuild is already running; try again when it is done.');
    const running: { progress: RebuildProgress | null } = { progress: null };
    this.running = running;
    try {
      return await rebuildProjection(poolOf(this.dataSource), this.store, projection, {
        onProgress: (p) => (running.progress = p),
      });
    } finally {
      this.running = null;
    }
  }
}
