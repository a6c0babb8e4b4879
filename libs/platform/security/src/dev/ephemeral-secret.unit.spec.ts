import { Writable } from 'node:stream';
import { Module } from '@nestjs/common';
import { createHttpApp, TongbanPlatformModule } from '@tongban/http';

/**
 * Its own file because nestjs-pino sends start-up lines to the first app a process creates: here
 * that is the only app.
 */
describe('dev mode without AUTH_JWT_SECRET', () => {
  it('warns once at start-up that dev tokens die with the process', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const saved = { ...process.env };
    @Module({
      imports: [
        TongbanPlatformModule.forRoot({
          app: 'dev',
          defaultPort: 0,
          overrides: { AUTH_MODE: 'dev' },
          destination,
        }),
      ],
    })
    class DevModule {}
    const app = await createHttpApp(DevModule).finally(() => (process.env = saved));
    try {
      await app.init();
      for (let i = 0; i < 3; i += 1) await app.inject({ method: 'GET', url: '/api/v1/auth/dev/users' });
      const warnings = lines
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((line) => line.msg.includes('AUTH_JWT_SECRET'));
      expect(warnings).toEqual([
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(/random secret .* stop working when this process exits/),
        }),
      ]);
    } finally {
      await app.close();
    }
  });
});
