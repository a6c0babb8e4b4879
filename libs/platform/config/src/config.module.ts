import { DynamicModule, Global, Injectable, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  ENVIRONMENT_VARIABLES,
  Environment,
  validateEnvironment,
  type RequiredVariable,
} from './environment';

export interface TongbanConfigOptions {
  /** The deployable's name, used in logs, metrics and the Kafka client id. */
  readonly app: string;
  /** HTTP port when HTTP_PORT is not set. */
  readonly defaultPort: number;
  /** Variables this deployable cannot start without. */
  readonly required?: readonly RequiredVariable[];
  /**
   * Values that win over the process environment. The standalone app uses this to point the
   * platform at the embedded database it just started.
   */
  readonly overrides?: Readonly<Partial<Record<keyof Environment, string>>>;
}

/** Typed, validated configuration for one deployable. Inject this, not ConfigService. */
@Injectable()
export class AppConfig {
  constructor(
    readonly app: string,
    readonly env: Environment,
    private readonly defaultPort: number,
  ) {}

  get httpPort(): number {
    return this.env.HTTP_PORT ?? this.defaultPort;
  }

  /** `/docs` and `/docs-json`: on unless NODE_ENV=production, where OPENAPI_ENABLED=true turns them on. */
  get openApiEnabled(): boolean {
    return this.env.OPENAPI_ENABLED ?? this.env.NODE_ENV !== 'production';
  }

  get databaseUrl(): string {
    if (!this.env.DATABASE_URL) throw new Error('DATABASE_URL is not configured for ' + this.app);
    return this.env.DATABASE_URL;
  }

  /**
   * The PostgreSQL startup options every session of this deployable opens with (libpq's
   * `options`): the statement, lock and idle-in-transaction limits (issue 11). `statementTimeoutMs`
   * overrides the statement limit (0 = none), for migrations.
   */
  databaseSessionOptions(overrides: { statementTimeoutMs?: number } = {}): string {
    const statement = overrides.statementTimeoutMs ?? this.env.DATABASE_STATEMENT_TIMEOUT_MS;
    return [
      `-c statement_timeout=${statement}`,
      `-c lock_timeout=${this.env.DATABASE_LOCK_TIMEOUT_MS}`,
      `-c idle_in_transaction_session_timeout=${this.env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS}`,
    ].join(' ');
  }

  get kafkaBrokers(): string[] {
    if (!this.env.KAFKA_BROKERS) throw new Error('KAFKA_BROKERS is not configured for ' + this.app);
    return this.env.KAFKA_BROKERS.split(',');
  }
}

@Global()
@Module({})
export class TongbanConfigModule {
  static forRoot(options: TongbanConfigOptions): DynamicModule {
    return {
      module: TongbanConfigModule,
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          cache: true,
          validate: (raw) => validateEnvironment({ ...raw, ...options.overrides }, options.required ?? []),
        }),
      ],
      providers: [
        {
          provide: AppConfig,
          inject: [ConfigService],
          // ConfigService answers from what `validate` returned, so values arrive typed.
          useFactory: (config: ConfigService) => {
            const env = Object.assign(new Environment(), {
              ...Object.fromEntries(ENVIRONMENT_VARIABLES.map((key) => [key, config.get(key)])),
            }) as Environment;
            return new AppConfig(options.app, env, options.defaultPort);
          },
        },
      ],
      exports: [AppConfig],
    };
  }
}
