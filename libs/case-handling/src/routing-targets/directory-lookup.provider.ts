import type { Provider } from '@nestjs/common';
import { AppConfig } from '@tongban/config';
import type { DirectoryLookup } from '@tongban/directory';
import { interimDirectoryLookup } from './interim-directory.lookup';

/**
 * The token the write path asks for the directory by. The directory provides it when it lands
 * (issue 13); tests swap it with `overrideProvider(DIRECTORY_LOOKUP)` or
 * `CaseHandlingModule.forRoot({ directory })`.
 */
export const DIRECTORY_LOOKUP = Symbol('DIRECTORY_LOOKUP');

/** The given lookup, or the interim one for the deployable's auth mode (ADR 0012). */
export function directoryLookupProvider(directory?: DirectoryLookup): Provider {
  if (directory) return { provide: DIRECTORY_LOOKUP, useValue: directory };
  return {
    provide: DIRECTORY_LOOKUP,
    inject: [AppConfig],
    useFactory: (config: AppConfig): DirectoryLookup => interimDirectoryLookup(config.env.AUTH_MODE),
  };
}
