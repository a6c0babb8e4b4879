import { CASE_EVENT_SCHEMA_VERSIONS, type CaseEvent, type CaseEventType } from './case.events';
import { repairSubmitted } from './case.upcasting';

/** Stored data of one schema version → the data of the next one. Pure; never sees the clock. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/** An event as a store keeps it: the type, the version of its data's shape, the data. */
export interface StoredShape {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Where an event came from, for the messages of a refusal (`case-<id>@3`). */
export type EventLocator = string;

/** The stored type is not one this build knows. */
export class UnknownEventTypeError extends Error {
  override readonly name = 'UnknownEventTypeError';
}

/**
 * The stored shape is newer than this build knows (a newer build wrote it, e.g. mid rolling
 * deploy) or not a version at all: refused rather than misread. The reader stops at it, and a
 * build that knows the shape resumes from there.
 */
export class UnknownSchemaVersionError extends Error {
  override readonly name = 'UnknownSchemaVersionError';
}

export interface EventCodecDefinition<T extends string> {
  /** The current schema version of each type: what `encode` writes. Bump only with an upcaster. */
  readonly versions: Readonly<Record<T, number>>;
  /**
   * The upcaster from each older version: `{ 'case.submitted': { 1: v1ToV2 } }`. Every version
   * from 1 up to the current one needs one; the codec refuses to be built otherwise.
   */
  readonly upcasters: { readonly [K in T]?: Readonly<Record<number, Upcaster>> };
}

/**
 * ONE event codec (issue 12): domain event ↔ the stored shape, for every reader and writer of the
 * case streams — the command side's replay, the projections, the audit history. Each type has
 * a current schema version; stored data of an older version is brought up to it through the
 * registered upcasters, one version at a time; a version newer than the build stops the reader
 * with a clear error.
 */
export class EventCodec<E extends { readonly type: T }, T extends string = E['type']> {
  private readonly known: ReadonlySet<string>;

  constructor(private readonly definition: EventCodecDefinition<T>) {
    const versions = definition.versions as Readonly<Record<string, number>>;
    this.known = new Set(Object.keys(versions));
    for (const [type, current] of Object.entries(versions)) {
      if (!Number.isInteger(current) || current < 1)
        throw new Error(`${type}: version ${current} is not one`);
      const steps = (definition.upcasters as Record<string, Readonly<Record<number, Upcaster>>>)[type] ?? {};
      for (let from = 1; from < current; from++) {
        if (typeof steps[from] !== 'function')
          throw new Error(`${type}: no upcaster from v${from} to v${from + 1}`);
      }
      for (const from of Object.keys(steps).map(Number)) {
        if (from >= current)
          throw new Error(`${type}: an upcaster from v${from}, but v${current} is current`);
      }
    }
  }

  /** The version `encode` writes for `type`. */
  versionOf(type: T): number {
    return this.definition.versions[type];
  }

  /** Domain event → what the store keeps: the type apart from the data, at the current version. */
  encode(event: E): {
    readonly type: T;
    readonly schemaVersion: number;
    readonly data: Record<string, unknown>;
  } {
    const { type, ...data } = event;
    return { type, schemaVersion: this.versionOf(type), data };
  }

  /** What the store kept → the domain event in today's shape, or a refusal naming the event. */
  decode(stored: StoredShape, where: EventLocator = 'an event'): E {
    if (!this.known.has(stored.type)) {
      throw new UnknownEventTypeError(`Unknown event type ${stored.type} in ${where}`);
    }
    const type = stored.type as T;
    const current = this.versionOf(type);
    const version = stored.schemaVersion;
    if (!Number.isInteger(version) || version < 1 || version > current) {
      throw new UnknownSchemaVersionError(
        `${type} v${version} in ${where} is newer than this build knows (v${current}): a build that knows it must read it`,
      );
    }
    let data: Readonly<Record<string, unknown>> = stored.data;
    const steps =
      (this.definition.upcasters as Record<string, Readonly<Record<number, Upcaster>>>)[type] ?? {};
    for (let from = version; from < current; from++) data = steps[from]!(data);
    return { ...data, type } as unknown as E;
  }
}

/**
 * The case context's codec. `case.submitted` v2 promises every field its type has: v1 events were
 * stored before the edge and the decider required them all (ADR 0008), and are repaired on the
 * way up; nothing else has changed shape yet.
 */
export const CASE_EVENT_CODEC = new EventCodec<CaseEvent, CaseEventType>({
  versions: CASE_EVENT_SCHEMA_VERSIONS,
  upcasters: {
    'case.submitted': { 1: (data) => ({ ...repairSubmitted(data) }) },
  },
});
