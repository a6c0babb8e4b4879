import { InvalidConfigurationError } from '@tongban/errors';
import { validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('applies defaults and converts numbers', () => {
    const env = validateEnvironment({ HTTP_PORT: '8080', DATABASE_POOL_SIZE: '4', PATH: '/usr/bin' });
    expect(env.HTTP_PORT).toBe(8080);
    expect(env.DATABASE_POOL_SIZE).toBe(4);
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.HTTP_HOST).toBe('127.0.0.1');
    expect(env.SHUTDOWN_GRACE_MS).toBe(10_000);
    expect(env).not.toHaveProperty('PATH');
  });

  it('treats empty values as unset', () => {
    expect(validateEnvironment({ HTTP_PORT: '', LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('names every bad variable in one error', () => {
    let caught: unknown;
    try {
      validateEnvironment({ HTTP_PORT: '99999', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'localhost' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigurationError);
    const error = caught as InvalidConfigurationError;
    expect(error.code).toBe('config.invalid');
    expect(error.errors.map((e) => e.field).sort()).toEqual(['HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
    expect(error.message).toMatch(/HTTP_PORT: .*65535.*"99999"/);
    expect(error.message).toMatch(/LOG_LEVEL/);
  });

  it('rejects a port that is not a whole number', () => {
    expect(() => validateEnvironment({ HTTP_PORT: '80a' })).toThrow(/HTTP_PORT/);
  });

  it('requires what the deployable needs', () => {
    expect(() => validateEnvironment({}, ['DATABASE_URL', 'KAFKA_BROKERS'])).toThrow(
      /DATABASE_URL must be set[\s\S]*KAFKA_BROKERS must be set/,
    );
    expect(
      validateEnvironment({ DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', KAFKA_BROKERS: 'a:1,b:2' }, [
        'DATABASE_URL',
        'KAFKA_BROKERS',
      ]).KAFKA_BROKERS,
    ).toBe('a:1,b:2');
  });

  it('never echoes a URL value, which may carry a password', () => {
    expect(() => validateEnvironment({ DATABASE_URL: 'mysql://admin:s3cret@db/x' })).toThrow(/DATABASE_URL/);
    try {
      validateEnvironment({ DATABASE_URL: 'mysql://admin:s3cret@db/x' });
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});
