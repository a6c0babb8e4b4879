import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '@tongban/config';
import {
  CATALOGUE_STREAM,
  DIRECTORY_STREAM,
  Directory,
  DirectoryError,
  DirectoryState,
  decideChange,
  pingchengDemoDistrict,
  type CatalogueEvent,
  type ChangeStamp,
  type DirectoryChange,
  type DirectoryEvent,
} from '@tongban/directory';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@tongban/event-store';
import { HealthRegistry } from '@tongban/http';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { CLOCK, type Clock } from '../clock';
import { OneAtATime, decideUntilAppended } from '../stored-streams/stored-streams';
import { DEMO_DATASET, demoRotaStart, seedDirectory, toAppend } from './directory-seed';
import { directorySourceOf, type CaseDirectory } from './case-directory';

/** What a stored change answers: the versions after it and the events that record it. */
export interface StoredChange {
  readonly directoryVersion: number;
  readonly catalogueVersion: number;
  readonly events: readonly { readonly type: string; readonly version: number }[];
}

/**
 * The directory as the event store holds it (ADR 0024): the fold of the `directory` and
 * `catalogue` streams, indexed for routing and locating. Read at start (seeding the demo district
 * first where DIRECTORY_SOURCE=demo and the store has none), then kept current: this process's
 * changes show at once, other processes' within DIRECTORY_REFRESH_MS. Every change is decided
 * against the latest version and appended expecting exactly that version, so two admins changing
 * the directory at once never both win on a stale view: the loser is decided again.
 *
 * Readiness turns red while the stored directory cannot be read (an event this version does not
 * know, the store unreachable): routing on a directory that stopped changing would be a lie.
 */
@Injectable()
export class StoredDirectory implements CaseDirectory, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Directory');
  private readonly state = new DirectoryState();
  /** The latest snapshot read, as a plain directory (deciding changes needs no locating). */
  private latest: Directory | null = null;
  /** The latest snapshot indexed for locating: built when first asked for after a change. */
  private indexed: Directory | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly loading = new OneAtATime();
  private readonly changing = new OneAtATime();
  private lastError: Error | null = null;
  private enabled = false;
  private closing = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
    private readonly health: HealthRegistry,
  ) {}

  async onModuleInit(): Promise<void> {
    const source = directorySourceOf(this.config);
    if (source === 'none') return;
    this.enabled = true;
    if (source === 'demo') await this.seedDemo();
    await this.refresh();
    this.health.register({
      name: 'directory',
      check: () => (this.lastError ? Promise.reject(this.lastError) : Promise.resolve()),
    });
    this.timer = setInterval(() => {
      if (!this.closing) this.refresh().catch(() => undefined);
    }, this.config.env.DIRECTORY_REFRESH_MS);
    this.timer.unref();
  }

  /** No read starts after this, and the one in flight ends before the store's pool closes. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.loading.idle();
  }

  /** Whether this deployment keeps a directory at all (DIRECTORY_SOURCE is not `none`). */
  get isEnabled(): boolean {
    return this.enabled;
  }

  /** The catalogue stream's version as last read: what SLA policies were decided on. */
  get catalogueVersion(): number {
    return this.state.catalogueVersion;
  }

  current(): Directory | null {
    if (this.latest && this.indexed?.snapshot !== this.latest.snapshot) {
      this.indexed = Directory.indexed(this.latest.snapshot);
    }
    return this.latest ? this.indexed : null;
  }

  /** Reads what other processes stored since the last read; one read at a time. */
  refresh(): Promise<void> {
    return this.loading.run(() => this.load());
  }

  /**
   * Decides `change` on the latest directory and stores its events (expecting the version it was
   * decided on); decided again when another writer got there first. Changes from this process
   * run one at a time.
   */
  change(change: DirectoryChange, stamp: ChangeStamp): Promise<StoredChange> {
    return this.changing.run(() => this.decideAndStore(change, stamp));
  }

  private decideAndStore(change: DirectoryChange, stamp: ChangeStamp): Promise<StoredChange> {
    return decideUntilAppended(
      async () => {
        await this.refresh();
        const decided = decideChange(this.latest ?? undefined, change, stamp);
        const stream = decided.stream === 'directory' ? DIRECTORY_STREAM : CATALOGUE_STREAM;
        const expected = decided.stream === 'directory' ? this.state.version : this.state.catalogueVersion;
        const result = await this.store.append(
          stream,
          decided.events.map((event) => toAppend(event, randomUUID())),
          expected === 0 ? 'no_stream' : expected,
        );
        await this.refresh();
        const first = result.nextExpectedVersion - decided.events.length + 1;
        return {
          directoryVersion: this.state.version,
          catalogueVersion: this.state.catalogueVersion,
          events: decided.events.map((event, i) => ({ type: event.type, version: first + i })),
        };
      },
      () =>
        new DirectoryError(
          'directory.changed_concurrently',
          'Other changes to the directory kept landing first: nothing was changed. Try again.',
        ),
    );
  }

  private async load(): Promise<void> {
    try {
      const [directory, catalogue] = await Promise.all([
        this.store.readStream(DIRECTORY_STREAM, { fromVersion: this.state.version + 1 }),
        this.store.readStream(CATALOGUE_STREAM, { fromVersion: this.state.catalogueVersion + 1 }),
      ]);
      if (directory.length > 0 || catalogue.length > 0) {
        for (const event of directory)
          this.state.applyDirectory(decoded<DirectoryEvent>(event), event.version);
        for (const event of catalogue)
          this.state.applyCatalogue(decoded<CatalogueEvent>(event), event.version);
        const first = this.latest === null;
        const snapshot = this.state.snapshot();
        this.latest = snapshot ? new Directory(snapshot) : null;
        const versions = `directory at version ${this.state.version}, catalogue at version ${this.state.catalogueVersion}`;
        if (first) this.logger.log(versions);
        else this.logger.debug(versions);
      }
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error : new Error(String(error));
      this.logger.error(`the stored directory could not be read: ${this.lastError.message}`);
      throw this.lastError;
    }
  }

  /** The demo district, its duty rota from a week before today, into a store that has no directory. */
  private async seedDemo(): Promise<void> {
    const now = this.clock.now();
    const snapshot = pingchengDemoDistrict({ from: demoRotaStart(now, this.options.timeZone) });
    const report = await seedDirectory(this.store, snapshot, DEMO_DATASET, {
      by: { id: 'seed', role: 'system' },
      at: now.toISOString(),
      reason: 'The Pingcheng demo district (invented people), seeded on first start (DIRECTORY_SOURCE=demo).',
    });
    if (report.directory === 'seeded' || report.catalogue === 'seeded') {
      this.logger.log(
        `seeded the demo district: directory ${report.directory}, catalogue ${report.catalogue}`,
      );
    }
  }
}

/** A stored directory or catalogue event as the fold reads it. */
function decoded<T>(event: RecordedEvent): T {
  return { type: event.type, ...event.data } as T;
}
