import { writeSync } from 'node:fs';

/** Flushed at once past this many buffered characters, without waiting for the loop's turn. */
const DEFAULT_MAX_BUFFERED = 64 * 1024;

/**
 * Where log lines go: lines are gathered in memory and written with ONE synchronous write when
 * the event loop turns (`setImmediate`), or at once when more than `maxBuffered` characters
 * wait — not one system call per line, which cost every request a write to the log file.
 *
 * Nothing is ever in flight outside the process: a line is either in this buffer or written,
 * so `flushSync` leaves nothing behind. `flushSync` runs on process exit (which an uncaught
 * exception and `process.exit` also go through), and `end` on application shutdown, before Nest
 * re-raises the signal that stopped it; after `end` every line is written as it comes, so lines
 * logged late in a shutdown are not lost either.
 */
export class BufferedLogDestination {
  private readonly buffered: string[] = [];
  private bufferedLength = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private direct = false;
  /** The reader of standard output went away (EPIPE): lines are dropped, as pino's destination does. */
  private broken = false;

  constructor(
    private readonly fd: number,
    private readonly maxBuffered = DEFAULT_MAX_BUFFERED,
  ) {}

  /** pino's destination interface: one serialised line, newline included. */
  write(line: string): boolean {
    if (this.broken) return true;
    if (this.direct) {
      this.writeOut(line);
      return true;
    }
    this.buffered.push(line);
    this.bufferedLength += line.length;
    if (this.bufferedLength >= this.maxBuffered) {
      this.flushSync();
    } else if (!this.scheduled) {
      // Unreferenced: a pending flush never keeps a process alive; exit flushes instead.
      this.scheduled = setImmediate(this.flushScheduled).unref();
    }
    return true;
  }

  /** Writes every buffered line now. pino's `logger.flush()` calls `flush`. */
  readonly flushSync = (): void => {
    if (this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
    if (this.buffered.length === 0) return;
    const data = this.buffered.length === 1 ? this.buffered[0]! : this.buffered.join('');
    this.buffered.length = 0;
    this.bufferedLength = 0;
    this.writeOut(data);
  };

  private writeOut(data: string): void {
    try {
      writeFully(this.fd, data);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
      this.broken = true;
    }
  }

  flush(callback?: (error?: Error) => void): void {
    try {
      this.flushSync();
      callback?.();
    } catch (error) {
      if (!callback) throw error;
      callback(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Flushes, then writes every later line as it comes (shutdown: the process is about to stop). */
  end(): void {
    this.flushSync();
    this.direct = true;
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = undefined;
    this.flushSync();
  };
}

/**
 * The whole string, however many writes it takes. A pipe the reader has not emptied answers
 * EAGAIN when it is non-blocking: wait a millisecond and go on, as pino's synchronous
 * destination does, rather than drop the line.
 */
function writeFully(fd: number, data: string): void {
  let rest = Buffer.from(data, 'utf8');
  while (rest.length > 0) {
    try {
      const written = writeSync(fd, rest);
      rest = rest.subarray(written);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

let stdoutDestination: BufferedLogDestination | undefined;

/**
 * The process's one buffered destination on standard output, flushed when the process exits
 * (pino-http's logger is made once per process, and so is this).
 */
export function stdoutLogDestination(): BufferedLogDestination {
  if (!stdoutDestination) {
    const destination = new BufferedLogDestination(1);
    process.on('exit', destination.flushSync);
    stdoutDestination = destination;
  }
  return stdoutDestination;
}
