import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { TongbanError } from '@tongban/errors';
import { EVENT_STORE, formatPosition, poolOf, type EventStore } from '@tongban/event-store';
import { ApiProblems } from '@tongban/http';
import { Roles } from '@tongban/security';
import type { AnyProjection } from './projection';
import { ProjectionEventError } from './projection-event-error';
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

/**
 * The rebuild reached an event the projection cannot decode or handle. Retrying cannot help until
 * a build that reads it (an upcaster, a fixed handler) is deployed; the live tables are untouched.
 */
class RebuildFailedError extends TongbanError {
  readonly code = 'read_model.rebuild_failed';
  readonly kind = 'unprocessable';
}

const POSITION_EXAMPLE = '7421-118';

export class ReadModelStateView {
  @ApiProperty({ example: 'case_detail' }) name!: string;
  @ApiProperty({ example: POSITION_EXAMPLE, description: 'The checkpoint: the last position applied.' })
  position!: string;
  @ApiProperty() eventsApplied!: number;
}

export class ProjectionRunnerView {
  @ApiProperty() running!: boolean;
  @ApiProperty({ description: 'Has applied everything the store had when last asked.' }) caughtUp!: boolean;
  @ApiProperty({ description: 'Failed batches since start (each retried).' }) failures!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
}

export class RebuildProgressView implements RebuildProgress {
  @ApiProperty({ example: 'case_detail' }) projection!: string;
  @ApiProperty({ enum: ['replaying', 'swapping', 'done'] }) phase!: 'replaying' | 'swapping' | 'done';
  @ApiProperty({ description: 'Events read from the store so far.' }) done!: number;
  @ApiProperty({ description: 'Events to replay, counted at the start plus those appended since.' })
  total!: number;
  @ApiProperty() eventsPerSecond!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Estimated; null until the rate is known.' })
  secondsLeft!: number | null;
}

export class ReadModelsView {
  @ApiProperty({ type: [ReadModelStateView] }) readModels!: ReadModelStateView[];
  @ApiProperty({ type: ProjectionRunnerView }) runner!: ProjectionRunnerView;
  @ApiProperty({ type: RebuildProgressView, nullable: true, description: 'The rebuild in progress, if any.' })
  rebuild!: RebuildProgressView | null;
}

export class RebuildReportView implements RebuildReport {
  @ApiProperty({ example: 'case_detail' }) projection!: string;
  @ApiProperty({ description: 'Events replayed.' }) events!: number;
  @ApiProperty() seconds!: number;
  @ApiProperty() eventsPerSecond!: number;
  @ApiProperty({
    example: POSITION_EXAMPLE,
    description: 'The checkpoint the live read model continues from after the swap.',
  })
  position!: string;
  @ApiProperty({ description: 'Swap attempts that found the live read model ahead and caught up first.' })
  swapRetries!: number;
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
  @ApiOkResponse({
    type: ReadModelsView,
    description: 'Positions, events applied, runner status, rebuild progress.',
  })
  async list(): Promise<ReadModelsView> {
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
  @ApiParam({
    name: 'name',
    description: 'A read model, as `GET /admin/read-models` lists them.',
    schema: { type: 'string', example: 'case_detail' },
  })
  @ApiOkResponse({ type: RebuildReportView, description: 'Rebuilt and swapped in.' })
  @ApiProblems(ReadModelNotFoundError, RebuildRunningError, RebuildFailedError)
  async rebuild(@Param('name') name: string): Promise<RebuildReportView> {
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
    } catch (error) {
      if (error instanceof ProjectionEventError) {
        throw new RebuildFailedError(`Rebuild stopped, the live read model is unchanged: ${error.message}`);
      }
      throw error;
    } finally {
      this.running = null;
    }
  }
}
