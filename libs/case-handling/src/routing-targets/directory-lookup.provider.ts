import type { Provider } from '@nestjs/common';
import { AppConfig } from '@tongban/config';
import type { DirectoryLookup } from '@tongban/directory';
import { CASE_DIRECTORY, type CaseDirectory } from '../route-case/case-directory.provider';
import { interimDirectoryLookup } from './interim-directory.lookup';

/**
 * The token the write path asks for the directory by. Tests swap it with
 * `overrideProvider(DIRECTORY_LOOKUP)` or `CaseHandlingModule.forRoot({ directory })`.
 */
export const DIRECTORY_LOOKUP = Symbol('DIRECTORY_LOOKUP');

/**
 * The given lookup; else the configured directory (issue 13); else, without one, the interim
 * lookup for the deployable's auth mode (ADR 0012).
 */
export function directoryLookupProvider(directory?: DirectoryLookup): Provider {
  if (directory) return { provide: DIRECTORY_LOOKUP, useValue: directory };
  return {
    provide: DIRECTORY_LOOKUP,
    inject: [AppConfig, CASE_DIRECTORY],
    useFactory: (config: AppConfig, directories: CaseDirectory): DirectoryLookup => {
      const interim = interimDirectoryLookup(config.env.AUTH_MODE);
      // Asked each time: the directory may appear (a seed) or change while the process runs.
      return {
        person: (id, day) => (directories.current() ?? interim).person(id, day),
        unit: (code) => (directories.current() ?? interim).unit(code),
      };
    },
  };
}
