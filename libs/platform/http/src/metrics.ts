import { Controller, Get, Header, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@tongban/security';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per deployable (not prom-client's global one), so several apps can run
 * in one process (standalone, tests) without clashing metric names.
 */
@Injectable()
export class MetricsRegistry implements OnModuleDestroy {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tongban_' });
    this.httpDuration = new Histogram({
      name: 'tongban_http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
  }

  onModuleDestroy(): void {
    this.registry.clear();
  }
}

// Scraped by Prometheus without credentials; keep it on an internal network.
@Public()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsRegistry) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
