import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '@tongban/config';
import { EVENT_STORE, poolOf, type EventStore, type RecordedEvent } from '@tongban/event-store';
import { HealthRegistry, MetricsRegistry } from '@tongban/http';
import {
  MESSAGE_BUS,
  eventInboxConsumer,
  registerConsumerMetrics,
  type EventTopicSource,
  type InboxConsumer,
  type MessageBus,
} from '@tongban/messaging';
import type { CaseCommandResult } from '../case-command/case-command';
import type { CommandContext } from '../case-event-mapping';
import { CLOCK, type Clock } from '../clock';
import { StoredCalendar } from '../calendar/stored-calendar';
import { StoredDirectory } from '../directory/stored-directory';
import { EscalateCaseCommand } from '../escalate-case/escalate-case.command';
import { ExpireFeedbackWindowCommand } from '../expire-feedback-window/expire-feedback-window.command';
import { RaiseSlaWarningCommand } from '../raise-sla-warning/raise-sla-warning.command';
import { RecordSlaBreachCommand } from '../record-sla-breach/record-sla-breach.command';
import { SetDueTimesCommand } from '../set-due-times/set-due-times.command';
import type { ScheduleStats } from './sla-schedule';
import { SlaWatcher } from './sla-watcher';
import type { SlaTimerCommand } from './sla-timers';

/** Where the watcher's feed reads case events: null for the store, else a Kafka topic (ADR 0030). */
export const SLA_WATCH_SOURCE = Symbol('SLA_WATCH_SOURCE');

/**
 * The SLA watcher inside an application (`CaseHandlingModule.forRoot({ slaWatch: true })`): its
 * timers go through the command bus to the system's use cases, its policies come from the stored
 * catalogue, its calendar from the stored calendar, its time from the application's CLOCK.
 * Readiness `sla-watch`; /metrics `tongban_sla_*`.
 */
@Injectable()
export class SlaWatchService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  readonly watcher: SlaWatcher;
  /** The feed from Kafka (apps/sla-watcher), when the source is a topic; else the store's feed. */
  readonly consumer: InboxConsumer<RecordedEvent> | null = null;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    directory: StoredDirectory,
    calendar: StoredCalendar,
    private readonly commands: CommandBus,
    config: AppConfig,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsRegistry,
    @Optional() @Inject(SLA_WATCH_SOURCE) source: EventTopicSource | null = null,
    @Optional() @Inject(MESSAGE_BUS) bus: MessageBus | null = null,
  ) {
    this.watcher = new SlaWatcher(
      {
        store,
        db: poolOf(dataSource),
        clock,
        policies: (code) => directory.current()?.matter(code)?.slaPolicyId,
        calendar: () => calendar.current(),
        calendarVersion: () => calendar.snapshot().version,
        catalogueVersion: () => (directory.isEnabled ? directory.catalogueVersion : null),
        send: (command, correlationId) => this.send(command, { correlationId }),
      },
      {
        intervalMs: config.env.SLA_WATCH_INTERVAL_MS,
        leaseMs: config.env.SLA_WATCH_LEASE_MS,
        batchSize: config.env.SLA_WATCH_BATCH_SIZE,
        escalationGraceMs: config.env.SLA_ESCALATION_GRACE_HOURS * 3_600_000,
        warnAt: config.env.SLA_WARNING_THRESHOLDS.split(',').map(Number),
      },
    );
    if (source) {
      if (!bus) throw new Error('The SLA watcher fed from Kafka needs TongbanMessagingModule.forKafka()');
      const logger = new Logger('SlaWatcher');
      const watcher = this.watcher;
      this.consumer = eventInboxConsumer({
        name: 'sla-watcher',
        source,
        prefix: config.env.KAFKA_TOPIC_PREFIX,
        pool: poolOf(dataSource),
        bus,
        handle: (client, items) =>
          watcher.takeIn(
            client,
            items.map((i) => i.value),
          ),
        afterCommit: () => watcher.takenIn(),
        log: (level, message) => (level === 'error' ? logger.error(message) : logger.warn(message)),
      });
    }
  }

  onModuleInit(): void {
    this.health.register({
      name: 'sla-watch',
      check: async () => {
        this.consumer?.check();
        await this.watcher.check();
      },
    });
    this.registerMetrics();
  }

  /** After every module is up: the directory and calendar were read in their onModuleInit. */
  async onApplicationBootstrap(): Promise<void> {
    this.watcher.start({ feed: this.consumer === null });
    await this.consumer?.start();
  }

  /** Before the store's pool closes (onApplicationShutdown). */
  async onModuleDestroy(): Promise<void> {
    await this.consumer?.stop();
    await this.watcher.stop();
  }

  private send(command: SlaTimerCommand, context: CommandContext): Promise<CaseCommandResult> {
    switch (command.type) {
      case 'RaiseSlaWarning':
        return this.commands.execute(new RaiseSlaWarningCommand(command, context));
      case 'RecordSlaBreach':
        return this.commands.execute(new RecordSlaBreachCommand(command, context));
      case 'ExpireFeedbackWindow':
        return this.commands.execute(new ExpireFeedbackWindowCommand(command, context));
      case 'SetDueTimes':
        return this.commands.execute(new SetDueTimesCommand(command, context));
      case 'EscalateCase':
        return this.commands.execute(new EscalateCaseCommand(command, context));
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  }

  private registerMetrics(): void {
    let reading: Promise<ScheduleStats> | undefined;
    // One query serves a scrape's gauges.
    const read = (): Promise<ScheduleStats> =>
      (reading ??= this.watcher.tables
        .stats(this.clock.now().getTime())
        .finally(() => setImmediate(() => (reading = undefined))));
    const gauge = (name: string, help: string, value: (s: ScheduleStats) => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        async collect() {
          this.set(value(await read()));
        },
      });
    };
    gauge(
      'tongban_sla_clocks_open',
      'SLA clocks counting or paused, over every scheduled case',
      (s) => s.clocks,
    );
    gauge('tongban_sla_cases_scheduled', 'Cases with at least one open SLA clock', (s) => s.cases);
    gauge(
      'tongban_sla_due_within_hour',
      'Scheduled cases with a warning, breach or expiry due in the next hour',
      (s) => s.dueWithinHour,
    );
    gauge(
      'tongban_sla_overdue',
      'Scheduled cases whose next timer is due and not yet processed',
      (s) => s.overdue,
    );
    const watcher = this.watcher;
    const consumer = this.consumer;
    if (consumer) registerConsumerMetrics(this.metrics.registry, consumer);
    new Gauge({
      name: 'tongban_sla_watcher_lag_events',
      help: 'Case events the SLA watcher has not taken in: after its checkpoint, or on its partitions',
      registers: [this.metrics.registry],
      async collect() {
        this.set(consumer ? consumer.state().reduce((sum, p) => sum + p.lag, 0) : await watcher.lag());
      },
    });
  }
}
