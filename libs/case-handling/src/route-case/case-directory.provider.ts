import type { Provider } from '@nestjs/common';
import { AppConfig, type DirectorySource } from '@tongban/config';
import { Directory, pingchengDemoDistrict } from '@tongban/directory';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { CLOCK, type Clock } from '../clock';
import { localDay } from '../submit-case/case-number-blocks';

/**
 * The directory the case application routes with and checks targets against (issue 13): the
 * `Directory` of the configured source, or null when there is none (`DIRECTORY_SOURCE=none`).
 */
export const CASE_DIRECTORY = Symbol('CASE_DIRECTORY');

/** DIRECTORY_SOURCE, or its default: the demo district in dev mode, none otherwise. */
export function directorySourceOf(config: AppConfig): DirectorySource {
  return config.env.DIRECTORY_SOURCE ?? (config.env.AUTH_MODE === 'dev' ? 'demo' : 'none');
}

export function caseDirectoryProvider(directory?: Directory | null): Provider {
  if (directory !== undefined) return { provide: CASE_DIRECTORY, useValue: directory };
  return {
    provide: CASE_DIRECTORY,
    inject: [AppConfig, CLOCK, CASE_HANDLING_OPTIONS],
    useFactory: (config: AppConfig, clock: Clock, options: CaseHandlingOptions): Directory | null =>
      directorySourceOf(config) === 'demo' ? Directory.indexed(demoDistrictAround(clock, options)) : null,
  };
}

/**
 * The demo district with its duty rota and leave from a week before today on (eight weeks): the
 * demo always has someone on duty, whatever day it is started.
 */
function demoDistrictAround(clock: Clock, options: CaseHandlingOptions) {
  const weekAgo = new Date(clock.now().getTime() - 7 * 24 * 3600 * 1000).toISOString();
  return pingchengDemoDistrict({ from: localDay(weekAgo, options.timeZone) });
}

/** The directory routing uses: the case directory with CASE_ROUTING=auto, null with `off`. */
export const ROUTING_DIRECTORY = Symbol('ROUTING_DIRECTORY');

export const routingDirectoryProvider: Provider = {
  provide: ROUTING_DIRECTORY,
  inject: [AppConfig, CASE_DIRECTORY],
  useFactory: (config: AppConfig, directory: Directory | null): Directory | null =>
    config.env.CASE_ROUTING === 'auto' ? directory : null,
};
