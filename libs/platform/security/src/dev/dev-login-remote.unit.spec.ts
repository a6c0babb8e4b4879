import { Writable } from 'node:stream';
import { Module } from '@nestjs/common';
import { createHttpApp, TongbanPlatformModule } from '@tongban/http';

/**
 * Its own file because nestjs-pino sends start-up lines to the first app a process creates: here
 * that is the only app.
 */
describe('dev login served to the network (DEV_LOGIN_ALLOW_REMOTE=true)', () => {
  it('starts on a non-loopback host and says so loudly, once, at start-up', async () => {
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
          app: 'dev-remote',
          defaultPort: 0,
          overrides: { AUTH_MODE: 'dev', HTTP_HOST: '0.0.0.0', DEV_LOGIN_ALLOW_REMOTE: 'true' },
          destination,
        }),
      ],
    })
    class DevRemoteModule {}
    const app = await createHttpApp(DevRemoteModule).finally(() => (process.env = saved));
    try {
      await app.init();
      // Not listening: the test only needs the start-up and the routes, not an open port.
      const users = await app.inject({ method: 'GET', url: '/api/v1/auth/dev/users' });
      expect(users.statusCode).toBe(200);
      const warnings = lines
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((line) => line.msg.includes('DEV_LOGIN_ALLOW_REMOTE'));
      expect(warnings).toEqual([
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(
            /^DEV LOGIN OPEN TO THE NETWORK: .* HTTP_HOST=0\.0\.0\.0: anyone who can reach this port can take a token for any demo user, admin included/,
          ),
        }),
      ]);
    } finally {
      await app.close();
    }
  });
});
