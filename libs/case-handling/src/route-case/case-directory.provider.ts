import type { Provider } from '@nestjs/common';
import { AppConfig } from '@tongban/config';
import { CASE_DIRECTORY, fixedDirectory, type CaseDirectory } from '../directory/case-directory';
import { StoredDirectory } from '../directory/stored-directory';

export { CASE_DIRECTORY, directorySourceOf, type CaseDirectory } from '../directory/case-directory';

/** The case directory: the given one (tests), else the stored directory (ADR 0024). */
export function caseDirectoryProvider(directory?: CaseDirectory): Provider {
  if (directory !== undefined) return { provide: CASE_DIRECTORY, useValue: directory };
  return { provide: CASE_DIRECTORY, useExisting: StoredDirectory };
}

/** The directory routing uses: the case directory with CASE_ROUTING=auto, none with `off`. */
export const ROUTING_DIRECTORY = Symbol('ROUTING_DIRECTORY');

export const routingDirectoryProvider: Provider = {
  provide: ROUTING_DIRECTORY,
  inject: [AppConfig, CASE_DIRECTORY],
  useFactory: (config: AppConfig, directory: CaseDirectory): CaseDirectory =>
    config.env.CASE_ROUTING === 'auto' ? directory : fixedDirectory(null),
};
