import { DynamicModule, Module } from '@nestjs/common';
import { TongbanConfigModule, type TongbanConfigOptions } from '@tongban/config';
import { TongbanLoggingModule, type LoggingOptions } from '@tongban/logging';
import { TongbanSecurityModule } from '@tongban/security';
import { HttpPlatformModule } from './http-platform.module';

/**
 * What every deployable imports first: validated configuration, masked JSON logs, health,
 * metrics, and authentication (every route needs a bearer token and `@Roles`, unless it is
 * `@Public`). A composition root adds its own feature modules next to it.
 */
@Module({})
export class TongbanPlatformModule {
  static forRoot(options: TongbanConfigOptions & LoggingOptions): DynamicModule {
    return {
      module: TongbanPlatformModule,
      imports: [
        TongbanConfigModule.forRoot(options),
        TongbanLoggingModule.forRoot(options),
        HttpPlatformModule,
        TongbanSecurityModule.forRoot({ overrides: options.overrides }),
      ],
      exports: [TongbanConfigModule, TongbanLoggingModule, HttpPlatformModule, TongbanSecurityModule],
    };
  }
}
