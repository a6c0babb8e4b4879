import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '@tongban/config';
import { EVENT_STORE, type EventStore, type EventToAppend, type RecordedEvent } from '@tongban/event-store';
import { HealthRegistry } from '@tongban/http';
import { STATE_COUNCIL_YEARS, type BusinessCalendar, type CalendarYear } from '@tongban/sla';
import { CALENDAR_STREAM, type CalendarEvent, type CalendarStamp } from './calendar.events';
import {
  decideLoad,
  evolveCalendar,
  initialCalendarState,
  type CalendarState,
} from './calendar-load.decider';
import { OneAtATime, decideUntilAppended } from '../stored-streams/stored-streams';
import { CalendarLoadError } from './calendar-load.errors';

/** What a stored load answers: the calendar's version after it and the year as now in force. */
export interface StoredLoad {
  readonly calendarVersion: number;
  readonly year: number;
  readonly version: number;
}

/**
 * The business calendar as the event store holds it (ADR 0027): the years shipped with the code
 * (`STATE_COUNCIL_YEARS`) with the `calendar` stream folded over them. Read at start, then kept
 * current like the directory (ADR 0024): this process's loads show at once, other processes'
 * within DIRECTORY_REFRESH_MS. A load is decided on the latest version and appended expecting
 * exactly that version, so two admins loading at once never both win on a stale view.
 *
 * Readiness (`calendar`) turns red while the stream cannot be read or holds an event this
 * version cannot apply (it is met again on the next read): due times on a calendar that stopped
 * changing would be quietly wrong.
 */
@Injectable()
export class StoredCalendar implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Calendar');
  private state: CalendarState;
  private timer: NodeJS.Timeout | undefined;
  private readonly loading = new OneAtATime();
  private readonly changing = new OneAtATime();
  private lastError: Error | null = null;
  private closing = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly config: AppConfig,
    private readonly health: HealthRegistry,
  ) {
    this.state = initialCalendarState(STATE_COUNCIL_YEARS);
  }

  async onModuleInit(): Promise<void> {
    this.health.register({
      name: 'calendar',
      check: () => (this.lastError ? Promise.reject(this.lastError) : Promise.resolve()),
    });
    // A store that cannot be read at start is a red readiness check, not a process that will not start.
    await this.refresh().catch(() => undefined);
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

  /** The calendar as last read: shipped years and loaded ones. */
  current(): BusinessCalendar {
    return this.state.calendar;
  }

  /** The fold as last read: the years in force, where each comes from, the stream's version. */
  snapshot(): CalendarState {
    return this.state;
  }

  /** Reads what other processes stored since the last read; one read at a time. */
  refresh(): Promise<void> {
    return this.loading.run(() => this.load());
  }

  /**
   * Decides the load of `year` on the latest calendar and stores it (expecting the version it was
   * decided on); decided again when another writer got there first. Loads from this process run
   * one at a time.
   */
  loadYear(year: CalendarYear, stamp: CalendarStamp): Promise<StoredLoad> {
    return this.changing.run(() => this.decideAndStore(year, stamp));
  }

  private decideAndStore(year: CalendarYear, stamp: CalendarStamp): Promise<StoredLoad> {
    return decideUntilAppended(
      async () => {
        await this.refresh();
        const expected = this.state.version;
        const event = decideLoad(this.state, { year, stamp });
        const result = await this.store.append(
          CALENDAR_STREAM,
          [toAppend(event, randomUUID())],
          expected === 0 ? 'no_stream' : expected,
        );
        await this.refresh();
        return {
          calendarVersion: result.nextExpectedVersion,
          year: event.year.year,
          version: event.year.version,
        };
      },
      () =>
        new CalendarLoadError(
          'calendar.changed_concurrently',
          'Other loads kept landing first: nothing was loaded. Try again.',
        ),
    );
  }

  private async load(): Promise<void> {
    try {
      const events = await this.store.readStream(CALENDAR_STREAM, { fromVersion: this.state.version + 1 });
      // Event by event, so an event that cannot be applied leaves the fold at the one before it.
      for (const event of events) this.state = evolveCalendar(this.state, decoded(event), event.version);
      if (events.length > 0) {
        const years = [...this.state.years.values()]
          .sort((a, b) => a.data.year - b.data.year)
          .map((y) => `${y.data.year} v${y.data.version}`);
        this.logger.log(`calendar at version ${this.state.version}: ${years.join(', ')}`);
      }
      this.lastError = null;
    } catch (error) {
      this.lastError = error instanceof Error ? error : new Error(String(error));
      this.logger.error(`the stored calendar could not be read: ${this.lastError.message}`);
      throw this.lastError;
    }
  }
}

/** A stored calendar event as the fold reads it. */
function decoded(event: RecordedEvent): CalendarEvent {
  return { type: event.type, ...event.data } as unknown as CalendarEvent;
}

/** A calendar event as the store keeps it: the whole event as data, its actor in metadata. */
function toAppend(event: CalendarEvent, id: string): EventToAppend {
  const { type, ...data } = event;
  return {
    id,
    type,
    data: JSON.parse(JSON.stringify(data)) as EventToAppend['data'],
    metadata: { actor: { id: event.by.id, role: event.by.role } },
  };
}
