import type { BatchChanges, BatchSource } from './batch';
import type { AnyProjection, Row, TableSpec } from './projection';

/** Reads what memory does not hold: the shadow tables, once the write before is committed. */
export interface ReplayLoader {
  loadRows(
    projection: AnyProjection,
    spec: TableSpec,
    keys: ReadonlyMap<string, Row>,
  ): Promise<ReadonlyMap<string, Row>>;
  loadStreamVersions(
    projection: AnyProjection,
    streamIds: readonly string[],
  ): Promise<ReadonlyMap<string, number>>;
}

/**
 * What a rebuild knows of the shadow tables it fills. They start empty and nobody else writes
 * them (the rebuild lock and generation of ADR 0017), so every row and stream version the replay
 * wrote is remembered here and a batch reads them from memory: no load statement, no row parsed
 * back, and a key the replay never wrote is known not to exist without asking.
 *
 * Bounded: past `maxEntries` rows and stream versions in all, the least recently written go, and
 * their table (or stream-version table) is no longer complete — a key not found in memory is then
 * loaded from the database. Counter tables are never remembered (their rows are sums the database
 * makes), so reading one always loads it.
 */
export class ReplayMemory {
  /** Document rows by physical table and `keyOf` key; null: known not to exist (deleted). */
  private readonly rows = new Map<string, Map<string, Row | null>>();
  private readonly versions = new Map<string, Map<string, number>>();
  /** Tables (and stream-version tables) some of whose entries were dropped. */
  private readonly incomplete = new Set<string>();
  private entries = 0;

  constructor(private readonly maxEntries: number) {
    if (!(maxEntries > 0)) throw new Error(`ReplayMemory: maxEntries must be positive, got ${maxEntries}`);
  }

  /** Entries held (rows and stream versions): what the bound counts. */
  get size(): number {
    return this.entries;
  }

  /** The recorded versions of these streams: from memory, and from `loader` for what it dropped. */
  async streamVersions(
    projection: AnyProjection,
    streamIds: readonly string[],
    loader: ReplayLoader,
  ): Promise<ReadonlyMap<string, number>> {
    const known = this.versionsOf(projection);
    if (!this.incomplete.has(projection.streamsTable)) return known;
    const missing = streamIds.filter((id) => !known.has(id));
    if (missing.length === 0) return known;
    const loaded = await loader.loadStreamVersions(projection, missing);
    const out = new Map(known);
    for (const [id, version] of loaded) out.set(id, version);
    return out;
  }

  /** A batch's row source for one projection: memory first, `loader` for what it may have dropped. */
  source(projection: AnyProjection, loader: ReplayLoader): BatchSource {
    return {
      loadRows: async (spec, keys) => {
        const found = new Map<string, Row>();
        const remembered = spec.kind === 'document' ? this.rows.get(spec.table) : undefined;
        const complete = spec.kind === 'document' && !this.incomplete.has(spec.table);
        const missing = new Map<string, Row>();
        for (const [key, keyRow] of keys) {
          const row = remembered?.get(key);
          if (row) found.set(key, row);
          else if (row === undefined && !complete) missing.set(key, keyRow);
        }
        if (missing.size > 0) {
          for (const [key, row] of await loader.loadRows(projection, spec, missing)) found.set(key, row);
        }
        return found;
      },
    };
  }

  /** Remember what a batch wrote (before the write commits: the next batch reads it from here). */
  remember(projection: AnyProjection, changes: BatchChanges): void {
    for (const [table, rows] of changes.documents) {
      let remembered = this.rows.get(table);
      if (!remembered) this.rows.set(table, (remembered = new Map<string, Row | null>()));
      for (const [key, row] of rows) {
        // Re-inserted, so each map is in order of last write: the oldest go first.
        if (!remembered.delete(key)) this.entries += 1;
        remembered.set(key, row);
      }
    }
    const versions = this.versionsOf(projection);
    for (const [streamId, version] of changes.streamVersions) {
      if (!versions.delete(streamId)) this.entries += 1;
      versions.set(streamId, version);
    }
  }

  /**
   * Between batches: over the bound, drop the least recently written quarter-and-more of every
   * table's entries (each table in proportion to its size), and stop trusting its absences.
   */
  trim(): void {
    if (this.entries <= this.maxEntries) return;
    const keep = Math.floor(this.maxEntries * 0.75) / this.entries;
    const drop = (name: string, map: Map<string, unknown>): void => {
      let n = Math.ceil(map.size * (1 - keep));
      if (n === 0) return;
      this.incomplete.add(name);
      for (const key of map.keys()) {
        if (n-- === 0) break;
        map.delete(key);
        this.entries -= 1;
      }
    };
    for (const [table, map] of this.rows) drop(table, map);
    for (const [streamsTable, map] of this.versions) drop(streamsTable, map);
  }

  private versionsOf(projection: AnyProjection): Map<string, number> {
    let versions = this.versions.get(projection.streamsTable);
    if (!versions) this.versions.set(projection.streamsTable, (versions = new Map<string, number>()));
    return versions;
  }
}
