import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * What `npm start` does, as a real process: build the standalone app, run the compiled output
 * under plain Node (require(esm) of NestJS 12, path aliases rewritten), talk to it over HTTP,
 * then SIGTERM it and expect a clean, prompt exit.
 */
describe('npm start (compiled standalone process)', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-start-'));
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', 'standalone'],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
  }, 120_000);

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves health and OpenAPI, then shuts down cleanly on SIGTERM', async () => {
    const main = join(root, 'dist', 'apps', 'standalone', 'apps', 'standalone', 'src', 'main.js');
    child = spawn(process.execPath, [main], {
      cwd: root,
      env: { ...process.env, STANDALONE_DATA_DIR: dir, HTTP_PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child!.once('exit', (code, signal) => resolve({ code, signal })),
    );

    const deadline = Date.now() + 60_000;
    let base: string | undefined;
    while (!base && Date.now() < deadline) {
      base = /listening on (http:\/\/[^\s]+)/.exec(stdout)?.[1];
      if (child.exitCode !== null) throw new Error(`standalone exited early: ${stderr}`);
      if (!base) await new Promise((r) => setTimeout(r, 50));
    }
    expect(base).toBeDefined();

    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    const docs = await fetch(`${base}/docs-json`);
    expect(docs.status).toBe(200);
    expect(((await docs.json()) as { openapi: string }).openapi).toMatch(/^3\./);

    const stopAsked = Date.now();
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    // Nest closes everything, then re-raises the signal it caught: either ending is clean.
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(Date.now() - stopAsked).toBeLessThan(10_000);
    expect(stderr).not.toMatch(/error/i);
  }, 90_000);

  it('refuses to start the dev login on a network address (HTTP_HOST=0.0.0.0), naming DEV_LOGIN_ALLOW_REMOTE', async () => {
    const main = join(root, 'dist', 'apps', 'standalone', 'apps', 'standalone', 'src', 'main.js');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      STANDALONE_DATA_DIR: dir,
      HTTP_HOST: '0.0.0.0',
      HTTP_PORT: '0',
    };
    delete env['AUTH_MODE'];
    delete env['DEV_LOGIN_ALLOW_REMOTE'];
    const refused = spawn(process.execPath, [main], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    refused.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    refused.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => refused.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (refused.exitCode === null && !/listening on/.test(output) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // Started anyway (the bug): stop it before failing, so nobody on the network gets a token.
    if (refused.exitCode === null) refused.kill('SIGKILL');
    expect(output).not.toMatch(/listening on/);
    expect(await exited).not.toBe(0);
    expect(output).toMatch(/HTTP_HOST: AUTH_MODE=dev .* loopback address only/);
    expect(output).toContain('DEV_LOGIN_ALLOW_REMOTE=true');
  }, 90_000);
});
