import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './systems';

/** The PostgreSQL that `npm run services:up` started (or TONGBAN_PG_URL). */
export function connectionUrl(): string {
  if (process.env.TONGBAN_PG_URL) return process.env.TONGBAN_PG_URL;
  const envFile = join(REPO_ROOT, '.data', 'services.env');
  if (existsSync(envFile)) {
    const line = readFileSync(envFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('TONGBAN_PG_URL='));
    if (line) return line.slice('TONGBAN_PG_URL='.length).trim();
  }
  throw new Error('No PostgreSQL: run `npm run services:up` first (or set TONGBAN_PG_URL).');
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
