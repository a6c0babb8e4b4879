import { Global, Module, type DynamicModule } from '@nestjs/common';
import { HealthController, HealthRegistry } from './health';
import { MetricsController, MetricsRegistry, MetricsServer } from './metrics';

export interface HttpPlatformOptions {
  /** False when METRICS_PORT is set: /metrics is then served by MetricsServer on that port only. */
  readonly metricsOnMainPort: boolean;
}

/** Health and metrics endpoints every deployable exposes. */
@Global()
@Module({})
export class HttpPlatformModule {
  static forRoot(options: HttpPlatformOptions): DynamicModule {
    return {
      module: HttpPlatformModule,
      global: true,
      controllers: options.metricsOnMainPort ? [HealthController, MetricsController] : [HealthController],
      providers: [HealthRegistry, MetricsRegistry, MetricsServer],
      exports: [HealthRegistry, MetricsRegistry, MetricsServer],
    };
  }
}
