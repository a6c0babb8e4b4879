import { Controller, Get, HttpCode, Inject, Optional, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { TongbanError } from '@tongban/errors';
import { EVENT_STORE, formatPosition, poolOf, type EventStore } from '@tongban/event-store';
import { ApiProblems } from '@tongban/http';
import { Roles } from '@tongban/security';
import type { AnyProjection } from './projection';
import { ProjectionEventError } from './projection-event-error';
import { readCheckpoints } from './postgres/projection-sql';
import type { ProjectionDriver } from './postgres/projection-runner';
import {
  RebuildRunningError,
  RebuildSupersededError,
  readRunningRebuilds,
  rebuildProjection,
  rebuildsRunningHere,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildReport,
} from './postgres/rebuild';
import { PROJECTION_DRIVER, PROJECTIONS, REBUILD_EXCLUSION } from './projections.tokens';

class ReadModelNotFoundError extends TongbanError {
  readonly code = 'read_model.not_found';
  readonly kind = 'not_found';
}

/** The rebuild lost its shadow tables to another one; the live read model is unchanged. */
class RebuildSupersededProblem extends TongbanError {
  readonly code = 'read_model.rebuild_superseded';
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

const POSITION_EXAMPLE = formatPosition({ tx: 7421n, seq: 118n });

export class StoppedEventView {
  @ApiProperty({ example: 'case-0b6f…' }) streamId!: string;
  @ApiProperty() version!: number;
  @ApiProperty({ example: 'case.submitted' }) type!: string;
  @ApiProperty({ example: POSITION_EXAMPLE }) position!: string;
}

export class ReadModelFailureView {
  @ApiProperty({ description: 'Why it stopped (the event, if one, is named).' }) error!: string;
  @ApiProperty({ type: StoppedEventView, nullable: true, description: 'The event it cannot apply.' })
  event!: StoppedEventView | null;
  @ApiProperty({ description: 'When it stopped.' }) since!: string;
  @ApiProperty({ description: 'Failed attempts: the batch that stopped it, then every retry.' })
  attempts!: number;
  @ApiProperty() nextRetryAt!: string;
}

export class ReadModelStateView {
  @ApiProperty({ example: 'case_detail' }) name!: string;
  @ApiProperty({ example: POSITION_EXAMPLE, description: 'The checkpoint: the last position applied.' })
  position!: string;
  @ApiProperty() eventsApplied!: number;
  @ApiProperty({
    enum: ['running', 'stopped'],
    description: '`stopped`: halted alone at an event it cannot apply while the others go on; retried.',
  })
  status!: 'running' | 'stopped';
  @ApiProperty({ type: ReadModelFailureView, nullable: true }) failure!: ReadModelFailureView | null;
}

export class ProjectionRunnerView {
  @ApiProperty() running!: boolean;
  @ApiProperty({ description: 'Has applied everything the store had when last asked.' }) caughtUp!: boolean;
  @ApiProperty({ description: 'Failed batches since start (each retried).' }) failures!: number;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
}

export class RebuildProgressView implements RebuildProgress {
  @ApiProperty({ example: 'case_detail' }) projection!: string;
  @ApiProperty({ enum: ['preparing', 'replaying', 'swapping', 'done'] })
  phase!: 'preparing' | 'replaying' | 'swapping' | 'done';
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
  @ApiProperty({
    type: RebuildProgressView,
    nullable: true,
    description: 'The rebuild in progress, if any, in this process or another.',
  })
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
 * against a PostgreSQL server; the two (and several projectors) never rebuild one read model at
 * once (ADR 0017).
 */
@ApiTags('administration')
@Controller('admin/read-models')
export class ReadModelsAdminController {
  constructor(
    @Inject(PROJECTIONS) private readonly projections: readonly AnyProjection[],
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROJECTION_DRIVER) private readonly runner: ProjectionDriver,
    @Optional()
    @Inject(REBUILD_EXCLUSION)
    private readonly exclusion: RebuildOptions['exclusion'] = 'database',
  ) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Read models: their checkpoints, the runner, and a rebuild in progress' })
  @ApiOkResponse({
    type: ReadModelsView,
    description: 'Positions, events applied, runner status, rebuild progress.',
  })
  async list(): Promise<ReadModelsView> {
    const pool = poolOf(this.dataSource);
    const names = this.projections.map((p) => p.name);
    const rows = await readCheckpoints(pool, names);
    const status = this.runner.status;
    const stopped = new Map(status.stopped.map((s) => [s.projection, s]));
    const here = rebuildsRunningHere(pool).find((r) => r.progress);
    const elsewhere = here ? undefined : [...(await readRunningRebuilds(pool, names)).values()][0];
    return {
      readModels: this.projections.map((p) => {
        const failure = stopped.get(p.name);
        return {
          name: p.name,
          position: formatPosition(rows.get(p.name)?.position ?? { tx: 0n, seq: 0n }),
          eventsApplied: rows.get(p.name)?.eventsApplied ?? 0,
          status: failure ? 'stopped' : 'running',
          failure: failure
            ? {
                error: failure.error,
                event: failure.event,
                since: failure.since.toISOString(),
                attempts: failure.attempts,
                nextRetryAt: failure.nextRetryAt.toISOString(),
              }
            : null,
        };
      }),
      runner: {
        running: status.running,
        caughtUp: status.caughtUp,
        failures: status.failures,
        lastError: status.lastError,
      },
      rebuild: here?.progress ?? elsewhere?.progress ?? null,
    };
  }

  @Post(':name/rebuild')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary: 'Rebuild one read model from the event store (blue/green, while serving)',
    description:
      'Answers when the fresh tables are swapped in. One rebuild of a read model at a time, across ' +
      'every process: a second is refused with 409 `read_model.rebuild_running` and the progress of ' +
      'the one running.',
  })
  @ApiParam({
    name: 'name',
    description: 'A read model, as `GET /admin/read-models` lists them.',
    schema: { type: 'string', example: 'case_detail' },
  })
  @ApiOkResponse({ type: RebuildReportView, description: 'Rebuilt and swapped in.' })
  @ApiProblems(
    ReadModelNotFoundError,
    new RebuildRunningError('', null),
    RebuildSupersededProblem,
    RebuildFailedError,
  )
  async rebuild(@Param('name') name: string): Promise<RebuildReportView> {
    const projection = this.projections.find((p) => p.name === name);
    if (!projection)
      throw new ReadModelNotFoundError(`No read model called ${JSON.stringify(name.slice(0, 50))}.`);
    try {
      return await rebuildProjection(poolOf(this.dataSource), this.store, projection, {
        exclusion: this.exclusion,
      });
    } catch (error) {
      if (error instanceof ProjectionEventError) {
        throw new RebuildFailedError(`Rebuild stopped, the live read model is unchanged: ${error.message}`);
      }
      if (error instanceof RebuildSupersededError) {
        throw new RebuildSupersededProblem(`${error.message}; the live read model is unchanged.`);
      }
      throw error;
    }
  }
}
