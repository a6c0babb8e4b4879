import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { BufferedLogDestination } from './log-destination';

/** A pipe's two ends, as file descriptors (node has no pipe(2); a child's stdio pipe would do, a FIFO is simpler). */
function pipeFds(): [number, number] {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-pipe-'));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeEnd = openSync(fifo, constants.O_WRONLY);
  rmSync(dir, { recursive: true, force: true });
  return [readEnd, writeEnd];
}
import { pinoOptions } from './logging.module';

describe('BufferedLogDestination', () => {
  let dir: string;
  let file: string;
  let fd: number;
  const written = (): string => readFileSync(file, 'utf8');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-log-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the lines of one turn of the event loop together, when the loop turns', async () => {
    const destination = new BufferedLogDestination(fd);
    destination.write('one\n');
    destination.write('two\n');
    expect(written()).toBe('');
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toBe('one\ntwo\n');
    destination.write('three\n');
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toBe('one\ntwo\nthree\n');
  });

  it('writes at once when more than its bound is waiting', () => {
    const destination = new BufferedLogDestination(fd, 10);
    destination.write('12345\n');
    expect(written()).toBe('');
    destination.write('67890\n');
    expect(written()).toBe('12345\n67890\n');
  });

  it('leaves nothing behind on flushSync, and after end writes every line as it comes', () => {
    const destination = new BufferedLogDestination(fd);
    destination.write('before\n');
    destination.flushSync();
    expect(written()).toBe('before\n');
    destination.write('buffered\n');
    destination.end();
    expect(written()).toBe('before\nbuffered\n');
    destination.write('late\n');
    expect(written()).toBe('before\nbuffered\nlate\n');
  });

  it('drops lines once the reader of a pipe has gone (EPIPE), instead of failing the process', () => {
    const [readEnd, writeEnd] = pipeFds();
    closeSync(readEnd);
    const destination = new BufferedLogDestination(writeEnd);
    destination.write('nobody reads this\n');
    expect(() => destination.flushSync()).not.toThrow();
    expect(destination.write('nor this\n')).toBe(true);
    closeSync(writeEnd);
  });

  it('keeps multi-byte text whole', () => {
    const destination = new BufferedLogDestination(fd);
    destination.write('居民来电：路灯不亮\n');
    destination.write('ok\n');
    destination.flushSync();
    expect(written()).toBe('居民来电：路灯不亮\nok\n');
  });

  it('is a pino destination: logger.flush writes what is buffered, masked', () => {
    const destination = new BufferedLogDestination(fd);
    const logger = pino(pinoOptions('test', 'info'), destination);
    logger.info({ resident: { phone: '13812345678' } }, 'case filed');
    logger.flush();
    const line = JSON.parse(written()) as { msg: string; resident: { phone: string } };
    expect(line).toMatchObject({ msg: 'case filed', resident: { phone: '138****5678' } });
  });
});
