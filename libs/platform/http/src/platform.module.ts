import { DynamicModule, Module } from '@nestjs/common';
import { TongbanConfigModule, type TongbanConfigOptions } from '@tongban/config';
import { TongbanLoggingModule, type LoggingOptions } from '@tongban/logging';
import { TongbanSecurityModule } from '@tongban/security';
import { HttpPlatformModule } from './http-platform.module';
import { RateLimitModule, type RateLimitOptions } from './rate-limit';

export interface PlatformOptions extends TongbanConfigOptions, LoggingOptions {
  /** The rate limits' clock, for tests that move time (`Date.now` otherwise). */
  readonly rateLimitClock?: RateLimitOptions['clock'];
}

/**
 * What every deployable imports first: validated configuration, masked JSON logs, health,
 * metrics, authentication (every route needs a bearer token and `@Roles`, unless it is
 * `@Public`) and rate limits on writes. A composition root adds its own feature modules next to it.
 */
@Module({})
export class TongbanPlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    // Controllers are fixed when the module is declared, before AppConfig exists: read
    // METRICS_PORT from the same inputs the config module validates (as the security module
    // reads AUTH_MODE).
    const metricsPort = { ...process.env, ...options.overrides }['METRICS_PORT'];
    return {
      module: TongbanPlatformModule,
      imports: [
        TongbanConfigModule.forRoot(options),
        TongbanLoggingModule.forRoot(options),
        HttpPlatformModule.forRoot({ metricsOnMainPort: metricsPort === undefined || metricsPort === '' }),
        TongbanSecurityModule.forRoot({ overrides: options.overrides }),
        // After the security module: its guard must have pinned the principal (see RateLimitModule).
        RateLimitModule.forRoot({ clock: options.rateLimitClock }),
      ],
      exports: [TongbanConfigModule, TongbanLoggingModule, HttpPlatformModule, TongbanSecurityModule],
    };
  }
}
