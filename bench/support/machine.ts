import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { round } from './stats';
import { REPO_ROOT, type Pool } from './systems';

/** What a report says about where it ran. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly postgres: string;
  readonly postgresSettings: Record<string, string>;
  readonly node: string;
  readonly commit: string;
  readonly date: string;
}

export interface MachineFactsOptions {
  /** PostgreSQL settings the report quotes (`SHOW <name>`). */
  readonly settings: readonly string[];
  /** Paths whose uncommitted changes make the commit id alone a lie. */
  readonly watched: readonly string[];
  /** Appended to the commit id when a watched path has uncommitted changes. */
  readonly dirtyNote: string;
  /** `version()` up to " on " (the build triple dropped), or whole. */
  readonly shortVersion?: boolean;
}

export async function machineFacts(admin: Pool, options: MachineFactsOptions): Promise<Machine> {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const version = (await admin.query<{ version: string }>('SELECT version()')).rows[0]!.version;
  const settings: Record<string, string> = {};
  for (const name of options.settings) {
    const { rows } = await admin.query<Record<string, string>>(`SHOW ${name}`);
    settings[name] = rows[0]?.[name] ?? '?';
  }
  let commit = 'unknown';
  // Without git's optional locks: `git status` would otherwise refresh the index under
  // index.lock, and collide with somebody committing while the benchmark runs.
  const git = { cwd: REPO_ROOT, encoding: 'utf8' as const, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } };
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], git).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...options.watched], git).trim();
    if (dirty) commit += options.dirtyNote;
  } catch {
    // not a git checkout
  }
  return {
    cpu: model,
    cores: cpus().length,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    postgres: options.shortVersion ? version.split(' on ')[0]! : version,
    postgresSettings: settings,
    node: process.version,
    commit,
    date: new Date().toISOString(),
  };
}
