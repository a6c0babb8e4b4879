import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { elapsedMs, nowNs } from './stats';

/**
 * The HTTP side of `npm run bench:http`: servers as child processes (so the load generator never
 * shares an event loop with a server), their CPU time from /proc, and a closed-loop load of N
 * concurrent clients over keep-alive connections.
 */

// ---------------------------------------------------------------------------------------------
// Server processes
// ---------------------------------------------------------------------------------------------

export interface ServerProcess {
  readonly name: string;
  readonly baseUrl: string;
  readonly pid: number;
  readonly bootSeconds: number;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  /** Sends a signal and waits until the process writes a line matching `line` (or the deadline). */
  signalAndWait(signal: NodeJS.Signals, line: RegExp, timeoutMs: number): Promise<void>;
  /** The end of what it wrote (stdout and stderr share the log file). */
  logTail(): string;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` in `cwd` with `env`, its stdout and stderr going to `logFile` (a file, not a
 * pipe: the api's request log lines then cost this process nothing), and waits for the
 * `listening on http://…` line.
 */
export async function startServer(options: {
  readonly name: string;
  readonly cwd: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
  readonly bootTimeoutMs?: number;
}): Promise<ServerProcess> {
  const started = performance.now();
  const fd = openSync(options.logFile, 'w');
  const child = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const read = (): string => {
    try {
      return readFileSync(options.logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const tail = (): string => {
    const text = read();
    return text.slice(Math.max(0, text.length - 2_000));
  };
  const waitFor = async (line: RegExp, from: number, timeoutMs: number): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = line.exec(read().slice(from));
      if (match) return match;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${options.name} exited: ${tail()}`);
      }
      if (Date.now() > deadline)
        throw new Error(`${options.name}: no ${String(line)} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  let baseUrl: string;
  try {
    baseUrl = (await waitFor(/listening on (http:\/\/\S+)/, 0, options.bootTimeoutMs ?? 120_000))[1]!;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid!;
  return {
    name: options.name,
    baseUrl,
    pid,
    bootSeconds: (performance.now() - started) / 1000,
    cpuSeconds: () => processCpuSeconds(pid),
    signalAndWait: async (signal, line, timeoutMs) => {
      const from = read().length;
      child.kill(signal);
      await waitFor(line, from, timeoutMs);
    },
    logTail: tail,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export function processCpuSeconds(pid: number): number {
  try {
    return cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU seconds of the PostgreSQL backends connected to `database` (their process title names it),
 * so other work on the same server — other engineers' test databases — does not count. Backends
 * that exit between two readings take their time with them: only differences over a window in
 * which the measured connections stay open mean anything.
 */
export function postgresCpuSeconds(database: string): number {
  let total = 0;
  let seen = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!title.startsWith('postgres: ') || !title.split(' ').includes(database)) continue;
      total += cpuOfStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      seen++;
    } catch {
      // gone meanwhile
    }
  }
  return seen === 0 ? Number.NaN : total;
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export interface HttpRequestSpec {
  readonly method: 'POST' | 'GET';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Already serialised: the load generator spends no time on JSON. */
  readonly body?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * A keep-alive HTTP/1.1 client with at most `connections` sockets: node:http, which costs the
 * load generator less CPU per request than fetch on a machine it shares with the servers.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly url: URL;

  constructor(baseUrl: string, connections: number) {
    this.url = new URL(baseUrl);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  send(spec: HttpRequestSpec): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...spec.headers };
      if (spec.body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(spec.body);
      }
      const req = httpRequest(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: spec.method,
          path: spec.path,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(spec.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// Closed-loop load
// ---------------------------------------------------------------------------------------------

export interface LoadRun {
  /** Latency of every answered request, ms, in completion order. */
  readonly latenciesMs: number[];
  /** Answers by status code (0 = the request failed without an answer). */
  readonly statuses: Record<string, number>;
  readonly wallMs: number;
  /** A few non-2xx answers, for the log. */
  readonly failures: string[];
}

/**
 * `clients` loops, each sending its next request as soon as the previous one answered, until
 * `next` has no more requests (returns undefined) or `seconds` have passed. `onAnswer` sees every
 * 2xx answer with the request that produced it.
 */
export async function closedLoop<T extends HttpRequestSpec>(options: {
  readonly client: HttpClient;
  readonly clients: number;
  readonly seconds?: number;
  readonly next: () => T | undefined;
  readonly onAnswer?: (request: T, answer: HttpAnswer) => void;
}): Promise<LoadRun> {
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const failures: string[] = [];
  const start = nowNs();
  const deadline = options.seconds === undefined ? Infinity : performance.now() + options.seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const spec = options.next();
      if (!spec) return;
      const t0 = nowNs();
      let status = 0;
      try {
        const answer = await options.client.send(spec);
        status = answer.status;
        if (status >= 200 && status < 300) options.onAnswer?.(spec, answer);
        else if (failures.length < 5) failures.push(`${status} ${answer.body.slice(0, 300)}`);
      } catch (error) {
        if (failures.length < 5) failures.push(error instanceof Error ? error.message : String(error));
      }
      latenciesMs.push(elapsedMs(t0));
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.clients }, loop));
  return { latenciesMs, statuses, wallMs: elapsedMs(start), failures };
}
