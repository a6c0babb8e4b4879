import type { CellValue, TableSpec } from './projection';

/**
 * One definition per read table (ADR 0021): its name, key, kind and columns with their SQL type
 * and nullability. From it come
 *
 * - the projection's Row type (`RowOf`) and the engine's `TableSpec` (the definition IS one: its
 *   timestamp and counter columns are derived, never listed by hand);
 * - the queries' column references (`columnsOf`) and how a database row becomes a Row (`readRow`);
 * - the drift check against the checked-in migration (`describeTable` + the catalogue, in
 *   libs/case-read-models' drift test), which fails when the two disagree.
 *
 * The migration stays as written (migrations are history); this is the code's side of the same
 * table, and the test keeps them equal.
 */

/** The SQL types read tables use, spelled as `format_type` prints them. */
export type SqlType =
  | 'text'
  | 'uuid'
  | 'integer'
  | 'bigint'
  | 'double precision'
  | 'boolean'
  | 'timestamp with time zone'
  | 'date'
  | 'jsonb'
  | 'text[]';

export interface Column<T = unknown> {
  readonly sqlType: SqlType;
  readonly isNullable: boolean;
  /**
   * Kept for the projection (its memory between events) or for scoping and filtering in SQL, and
   * shown by no view: the views' drift check does not expect a view to read it.
   */
  readonly isInternal: boolean;
  /** Phantom: the value's TypeScript type. Never set. */
  readonly __value?: T;
}

class ColumnBuilder<T> implements Column<T> {
  declare readonly __value?: T;
  constructor(
    readonly sqlType: SqlType,
    readonly isNullable = false,
    readonly isInternal = false,
  ) {}

  /** The column may hold NULL. */
  nullable(): ColumnBuilder<T | null> {
    return new ColumnBuilder<T | null>(this.sqlType, true, this.isInternal);
  }

  /** No view shows it (see `Column.isInternal`). */
  internal(): ColumnBuilder<T> {
    return new ColumnBuilder<T>(this.sqlType, this.isNullable, true);
  }
}

/** Column constructors; the type parameter narrows text and jsonb values (`text<Status>()`). */
export const column = {
  text: <T extends string = string>() => new ColumnBuilder<T>('text'),
  uuid: () => new ColumnBuilder<string>('uuid'),
  integer: () => new ColumnBuilder<number>('integer'),
  /** As a number in rows (the engine's values stay below 2^53). */
  bigint: () => new ColumnBuilder<number>('bigint'),
  double: () => new ColumnBuilder<number>('double precision'),
  boolean: () => new ColumnBuilder<boolean>('boolean'),
  /** An instant, as the engine keeps them: UTC ISO with milliseconds. */
  timestamptz: () => new ColumnBuilder<string>('timestamp with time zone'),
  /** A calendar day, 'YYYY-MM-DD'. */
  date: () => new ColumnBuilder<string>('date'),
  jsonb: <T>() => new ColumnBuilder<T>('jsonb'),
  textArray: <T extends string = string>() => new ColumnBuilder<readonly T[]>('text[]'),
} as const;

export type Columns = { readonly [name: string]: Column };

export type ValueOf<C> = C extends Column<infer T> ? T : never;

/** A table definition: an engine `TableSpec` that also knows its columns. */
export interface TableDefinition<
  C extends Columns = Columns,
  K extends keyof C & string = keyof C & string,
> extends TableSpec {
  readonly key: readonly K[];
  readonly columns: C;
  readonly timestamps: readonly string[];
}

/** The row of a table as projections write it and queries read it. */
export type RowOf<D extends { readonly columns: Columns }> = {
  readonly [K in keyof D['columns']]: ValueOf<D['columns'][K]>;
};

/** The columns a view may show (the internal ones left out). */
export type ViewRowOf<D extends { readonly columns: Columns }> = {
  readonly [
    K in keyof D['columns'] as D['columns'][K] extends { readonly isInternal: true } ? never : K
  ]: ValueOf<D['columns'][K]>;
};

export function defineTable<const C extends Columns, const K extends keyof C & string>(definition: {
  readonly table: string;
  readonly key: readonly K[];
  /** `counter`: every column outside the key is an integer counter (see `TableSpec.kind`). */
  readonly kind?: 'document' | 'counter';
  readonly columns: C;
}): TableDefinition<C, K> {
  const kind = definition.kind ?? 'document';
  const names = Object.keys(definition.columns);
  for (const key of definition.key) {
    if (!names.includes(key)) throw new Error(`${definition.table}: key column ${key} is not a column`);
    if (definition.columns[key]!.isNullable)
      throw new Error(`${definition.table}: key column ${key} is nullable`);
  }
  const key: readonly string[] = definition.key;
  const outsideKey = names.filter((name) => !key.includes(name));
  if (kind === 'counter') {
    const odd = outsideKey.filter((name) => definition.columns[name]!.sqlType !== 'integer');
    if (odd.length > 0)
      throw new Error(`${definition.table}: counter columns must be integers: ${odd.join(', ')}`);
  }
  return {
    table: definition.table,
    key: definition.key,
    kind,
    columns: definition.columns,
    timestamps: names.filter((name) => definition.columns[name]!.sqlType === 'timestamp with time zone'),
    ...(kind === 'counter' ? { counters: outsideKey } : {}),
  };
}

/** The table's columns as one table alias sees them: `cols.status` is `"c"."status"`. */
export function columnsOf<C extends Columns>(
  definition: TableDefinition<C>,
  alias: string,
): { readonly [K in keyof C]: string } {
  return Object.fromEntries(
    Object.keys(definition.columns).map((name) => [name, `"${alias}"."${name}"`]),
  ) as { readonly [K in keyof C]: string };
}

/** The SELECT list of the columns a view shows, each under its own name. */
export function viewSelection(definition: TableDefinition, alias: string): string[] {
  return Object.entries(definition.columns)
    .filter(([, c]) => !c.isInternal)
    .map(([name]) => `"${alias}"."${name}" AS "${name}"`);
}

/**
 * A row as node-postgres hands it back (timestamptz and date as Date, bigint as string) in the
 * engine's form: instants as UTC ISO strings, days as 'YYYY-MM-DD', bigints as numbers. Only the definition's columns are kept.
 */
export function readRow<C extends Columns>(
  definition: TableDefinition<C>,
  raw: Readonly<Record<string, unknown>>,
): ViewRowOf<TableDefinition<C>> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(definition.columns)) {
    if (!(name in raw)) continue;
    out[name] = fromDatabase(spec, raw[name], `${definition.table}.${name}`);
  }
  return out as ViewRowOf<TableDefinition<C>>;
}

function fromDatabase(spec: Column, value: unknown, where: string): unknown {
  if (value === null || value === undefined) {
    if (!spec.isNullable) throw new Error(`${where} is NULL`);
    return null;
  }
  switch (spec.sqlType) {
    case 'timestamp with time zone':
      return (value instanceof Date ? value : new Date(value as string)).toISOString();
    case 'bigint':
      return Number(value);
    case 'date':
      // node-postgres makes a Date at local midnight of the day: read the day back in local time.
      return value instanceof Date
        ? `${value.getFullYear()}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`
        : value;
    case 'text':
    case 'uuid':
    case 'integer':
    case 'double precision':
    case 'boolean':
    case 'jsonb':
    case 'text[]':
      return value;
  }
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * Whether a value a projection put fits the column: the drift test runs every projection over
 * a workload and checks each row it writes with this. Returns what is wrong, or null.
 */
export function misfit(spec: Column, value: CellValue | undefined): string | null {
  if (value === undefined) return 'missing';
  if (value === null) return spec.isNullable ? null : 'NULL in a NOT NULL column';
  const is = (ok: boolean, what: string): string | null =>
    ok ? null : `not ${what}: ${JSON.stringify(value)}`;
  switch (spec.sqlType) {
    case 'text':
      return is(typeof value === 'string', 'a string');
    case 'uuid':
      return is(typeof value === 'string' && UUID.test(value), 'a uuid');
    case 'integer':
    case 'bigint':
      return is(typeof value === 'number' && Number.isInteger(value), 'an integer');
    case 'double precision':
      return is(typeof value === 'number', 'a number');
    case 'boolean':
      return is(typeof value === 'boolean', 'a boolean');
    case 'timestamp with time zone':
      return is(typeof value === 'string' && INSTANT.test(value), 'an instant');
    case 'date':
      return is(typeof value === 'string' && DAY.test(value), 'a day');
    case 'jsonb':
      return null;
    case 'text[]':
      return is(Array.isArray(value) && value.every((v) => typeof v === 'string'), 'an array of strings');
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** What the drift test compares with the catalogue: name, type, nullability, key. */
export interface TableShape {
  readonly columns: ReadonlyArray<{
    readonly name: string;
    readonly type: SqlType;
    readonly nullable: boolean;
  }>;
  readonly key: readonly string[];
}

export function describeTable(definition: TableDefinition): TableShape {
  return {
    columns: Object.entries(definition.columns)
      .map(([name, c]) => ({ name, type: c.sqlType, nullable: c.isNullable }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    key: [...definition.key],
  };
}

/** The `_streams` table every projection keeps (ADR 0017), as a definition. */
export function streamsTable(table: string) {
  return defineTable({
    table,
    key: ['stream_id'],
    columns: { stream_id: column.text(), version: column.integer() },
  });
}
