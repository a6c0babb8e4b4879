import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  Controller,
  Get,
  Header,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '@tongban/config';
import { PlatformErrorCode } from '@tongban/errors';
import { Public } from '@tongban/security';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PROBLEM_CONTENT_TYPE, problemDetails } from './problem-details';

const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

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
  @Header('content-type', METRICS_CONTENT_TYPE)
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/**
 * `/metrics` on a port of its own when METRICS_PORT is set, so the port a load balancer exposes
 * never serves it (HttpPlatformModule then leaves MetricsController out). It listens on HTTP_HOST
 * from start-up until shutdown; anything but `GET /metrics` is a 404 problem.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server: Server | undefined;

  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly config: AppConfig,
  ) {}

  /** Where it listens (`http://host:port`), once started; undefined while /metrics is on the main port. */
  get url(): string | undefined {
    const address = this.server?.address();
    if (!address || typeof address !== 'object') return undefined;
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.env.METRICS_PORT;
    if (port === undefined) return;
    const server = createServer((request, response) => void this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.env.HTTP_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    new Logger('Metrics').log(`metrics on ${this.url ?? ''}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A scraper keeps its connection alive; waiting for it to idle out would stall shutdown.
    server.closeAllConnections();
    await closed;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0] ?? '';
    try {
      if (path === '/metrics' && (request.method === 'GET' || request.method === 'HEAD')) {
        const body = await this.metrics.registry.metrics();
        response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
        response.end(request.method === 'HEAD' ? undefined : body);
        return;
      }
      const problem = problemDetails(
        404,
        PlatformErrorCode.routeNotFound,
        'Only /metrics is served here.',
        path,
        randomUUID(),
      );
      response.writeHead(404, { 'content-type': PROBLEM_CONTENT_TYPE });
      response.end(JSON.stringify(problem));
    } catch {
      response.writeHead(500).end();
    }
  }
}
