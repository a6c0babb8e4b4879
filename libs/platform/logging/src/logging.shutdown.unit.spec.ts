import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { PinoLogger } from 'nestjs-pino';
import { TongbanConfigModule } from '@tongban/config';
import { BufferedLogDestination } from './log-destination';
import { TongbanLoggingModule } from './logging.module';

describe('the logging module at shutdown', () => {
  it('writes out the lines still buffered when the application closes, and later lines at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-log-shutdown-'));
    const file = join(dir, 'out.log');
    const fd = openSync(file, 'w');
    const destination = new BufferedLogDestination(fd);
    @Module({
      imports: [
        TongbanConfigModule.forRoot({ app: 'log-probe', defaultPort: 0, overrides: { AUTH_MODE: 'dev' } }),
        TongbanLoggingModule.forRoot({ destination }),
      ],
    })
    class ProbeModule {}
    try {
      const app = await NestFactory.createApplicationContext(ProbeModule, { logger: false });
      const logger = await app.resolve(PinoLogger);
      logger.info('last words before the signal');
      // Nest's shutdown hooks run, then it re-raises the signal: no turn of the loop in between.
      await app.close();
      expect(readFileSync(file, 'utf8')).toContain('last words before the signal');
      logger.info('a line logged after shutdown');
      expect(readFileSync(file, 'utf8')).toContain('a line logged after shutdown');
    } finally {
      destination.end();
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
