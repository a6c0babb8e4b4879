import type { AppConfig, DirectorySource } from '@tongban/config';
import type { Directory } from '@tongban/directory';

/**
 * The directory the case application routes with, checks targets against and answers lookups
 * from (issue 13): the latest version this process knows, or null when there is none
 * (DIRECTORY_SOURCE=none, or a store nobody has seeded or built a directory in yet). Ask each
 * time: the directory changes while the process runs.
 */
export interface CaseDirectory {
  current(): Directory | null;
}

export const CASE_DIRECTORY = Symbol('CASE_DIRECTORY');

/** A directory that never changes (tests, benches). */
export function fixedDirectory(directory: Directory | null): CaseDirectory {
  return { current: () => directory };
}

/** DIRECTORY_SOURCE, or its default: the demo district in dev mode, the stored directory otherwise. */
export function directorySourceOf(config: AppConfig): DirectorySource {
  return config.env.DIRECTORY_SOURCE ?? (config.env.AUTH_MODE === 'dev' ? 'demo' : 'store');
}
