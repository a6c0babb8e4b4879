import { Controller, Get, Injectable, type BeforeApplicationShutdown, HttpCode, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@tongban/security';
import type { FastifyReply } from 'fastify';

/** A dependency the deployable cannot serve without (database, broker…). */
export interface ReadinessCheck {
  readonly name: string;
  /**
   * Resolves when healthy; rejects (or times out) when not. Resolves with `Degraded` when the
   * deployable still serves but part of it does not (one read model stopped while the others
   * keep up): readiness stays 200, so an orchestrator keeps it in service, and says why.
   */
  check(): Promise<void | Degraded>;
}

/** What a check resolves with when part of what it watches is not working. */
export interface Degraded {
  readonly degraded: string;
}

export interface CheckResult {
  readonly name: string;
  readonly status: 'up' | 'degraded' | 'down';
  readonly error?: string;
  readonly ms: number;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Holds the readiness checks registered by the modules of one deployable. Readiness also turns
 * false as soon as shutdown begins, so a load balancer stops routing before connections close.
 */
@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  get isDraining(): boolean {
    return this.draining;
  }

  beforeApplicationShutdown(): void {
    this.draining = true;
  }

  async run(): Promise<CheckResult[]> {
    return Promise.all(
      [...this.checks.values()].map(async (c): Promise<CheckResult> => {
        const started = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          const outcome = await Promise.race([
            c.check(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS} ms`)),
                CHECK_TIMEOUT_MS,
              );
            }),
          ]);
          const ms = Math.round(performance.now() - started);
          if (outcome && typeof outcome.degraded === 'string') {
            return { name: c.name, status: 'degraded', error: outcome.degraded, ms };
          }
          return { name: c.name, status: 'up', ms };
        } catch (error) {
          return {
            name: c.name,
            status: 'down',
            error: error instanceof Error ? error.message : String(error),
            ms: Math.round(performance.now() - started),
          };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}

// Load balancers and orchestrators probe without credentials.
@Public()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** Liveness: the process answers. Never checks dependencies (a DB outage must not restart us). */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  /**
   * Readiness: every registered dependency answers, and we are not shutting down. A degraded
   * check keeps it ready (200, `degraded`): the deployable serves, part of it needs an operator.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{
    status: 'up' | 'degraded' | 'down';
    checks: CheckResult[];
  }> {
    const checks = await this.registry.run();
    const up = !this.registry.isDraining && checks.every((c) => c.status !== 'down');
    void reply.status(up ? 200 : 503);
    const status = !up ? 'down' : checks.some((c) => c.status === 'degraded') ? 'degraded' : 'up';
    return { status, checks };
  }
}
