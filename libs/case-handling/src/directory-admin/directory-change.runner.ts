import { Inject, Injectable } from '@nestjs/common';
import { DIRECTORY_ERROR_KINDS, type DirectoryChange, type DirectoryErrorCode } from '@tongban/directory';
import { EventTooLargeError, InvalidEventError } from '@tongban/event-store';
import { problemCodes, type ProblemCodes } from '@tongban/http';
import type { Principal } from '@tongban/security';
import { CLOCK, type Clock } from '../clock';
import { StoredDirectory } from '../directory/stored-directory';
import { DirectoryUnavailableError } from '../find-one-person/find-one-person.controller';
import type { DirectoryChangeResponse } from './directory-admin.views';

/**
 * The refusals a change may answer: `codes` (what its checks in `decideChange` raise), and what
 * every change may meet — no district yet (`directory.unknown_parent`), other changes landing
 * first every time it was decided again, no directory in this deployment, and the store's limits.
 */
export function directoryChangeProblems(...codes: readonly DirectoryErrorCode[]): ProblemCodes {
  const always: readonly DirectoryErrorCode[] = [
    'directory.unknown_parent',
    'directory.changed_concurrently',
  ];
  return problemCodes(
    Object.fromEntries([...always, ...codes].map((code) => [code, DIRECTORY_ERROR_KINDS[code]])),
    DirectoryUnavailableError,
    InvalidEventError,
    EventTooLargeError,
  );
}

/**
 * Runs an admin's change on the stored directory (ADR 0024): stamped with who (the caller), when
 * (the clock) and why (the request's reason), decided on the latest version and appended; the
 * domain's refusals go out as problem+json by their kind.
 */
@Injectable()
export class DirectoryChangeRunner {
  constructor(
    private readonly directory: StoredDirectory,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Refuses with 503 `directory.unavailable` where DIRECTORY_SOURCE=none. */
  requireDirectory(): void {
    if (!this.directory.isEnabled) {
      throw new DirectoryUnavailableError('This deployment keeps no directory (DIRECTORY_SOURCE=none).');
    }
  }

  async run(principal: Principal, reason: string, change: DirectoryChange): Promise<DirectoryChangeResponse> {
    this.requireDirectory();
    const stored = await this.directory.change(change, {
      by: { id: principal.id, role: principal.role },
      at: this.clock.now().toISOString(),
      reason,
    });
    return {
      directoryVersion: stored.directoryVersion,
      catalogueVersion: stored.catalogueVersion,
      events: stored.events.map(({ type, version }) => ({ type, version })),
    };
  }
}
