import { DynamicModule, Module } from '@nestjs/common';
import { TongbanConfigModule, type TongbanConfigOptions } from '@tongban/config';
import { TongbanLoggingModule, type LoggingOptions } from '@tongban/logging';
import { HttpPlatformModule } from './http-platform.module';

/**
 * What every deployable imports first: validated configuration, masked JSON logs, health and
 * metrics. A composition root adds its own feature modules next to it.
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
      ],
      exports: [TongbanConfigModule, TongbanLoggingModule, HttpPlatformModule],
    };
  }
}
