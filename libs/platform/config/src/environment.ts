import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { InvalidConfigurationError, type FieldProblem } from '@tongban/errors';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/**
 * Every environment variable Tongban reads, with its rules. Values arrive as strings; numbers
 * are converted here so the rest of the code sees typed values. README's configuration table
 * documents the same list.
 */
export class Environment {
  @IsOptional()
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-zA-Z.:\-[\]]+$/, { message: 'HTTP_HOST must be a host name or IP address' })
  HTTP_HOST = '127.0.0.1';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT?: number;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @IsOptional()
  @Matches(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, {
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
  })
  KAFKA_BROKERS?: string;

  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]{1,64}$/, {
    message: 'KAFKA_CLIENT_ID must be 1-64 letters, digits, dots, dashes or underscores',
  })
  KAFKA_CLIENT_ID = 'tongban';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  @IsOptional()
  @IsString()
  STANDALONE_DATA_DIR?: string;

  @IsOptional()
  @Matches(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):\/\/\S+$/, {
    message: 'EVENTSTORE_URL must be an esdb:// or kurrentdb:// connection string',
  })
  EVENTSTORE_URL?: string;
}

/** The variables `Environment` reads; anything else in the process environment is ignored. */
export const ENVIRONMENT_VARIABLES = [
  'NODE_ENV',
  'LOG_LEVEL',
  'HTTP_HOST',
  'HTTP_PORT',
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'SHUTDOWN_GRACE_MS',
  'STANDALONE_DATA_DIR',
  'EVENTSTORE_URL',
] as const satisfies readonly (keyof Environment)[];

export type RequiredVariable = 'DATABASE_URL' | 'KAFKA_BROKERS';

/**
 * Validates raw environment values. Throws `InvalidConfigurationError` naming every offending
 * variable, so an operator fixes them all in one go instead of one restart per mistake.
 */
export function validateEnvironment(
  raw: Record<string, unknown>,
  required: readonly RequiredVariable[] = [],
): Environment {
  const known = new Set<string>(ENVIRONMENT_VARIABLES);
  // Empty strings mean "not set": a blank line in an env file should not count as a value.
  const relevant: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (known.has(key) && value !== '' && value !== undefined) relevant[key] = value;
  }
  const env = plainToInstance(Environment, relevant, { exposeDefaultValues: true });
  const problems: FieldProblem[] = validateSync(env, { skipMissingProperties: false }).flatMap((error) =>
    Object.entries(error.constraints ?? {}).map(([reason, message]) => ({
      field: error.property,
      reason,
      // URLs may carry credentials: name the variable, never echo its value.
      message: error.property.endsWith('_URL')
        ? message
        : `${message} (got ${JSON.stringify(String(error.value))})`,
    })),
  );
  for (const name of required) {
    if (env[name] === undefined) {
      problems.push({ field: name, reason: 'required', message: `${name} must be set` });
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n');
    throw new InvalidConfigurationError(`Invalid environment:\n${lines}`, problems);
  }
  return env;
}
