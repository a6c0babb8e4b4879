import { column, columnsOf, defineTable, describeTable, misfit, readRow, viewSelection } from './table';

/** One definition per read table (ADR 0021): what it refuses, derives, and how rows come back. */

const clocks = defineTable({
  table: 'rm_example',
  key: ['case_id', 'clock'],
  columns: {
    case_id: column.uuid(),
    clock: column.text<'response' | 'resolution'>(),
    due_at: column.timestamptz().nullable(),
    started_at: column.timestamptz(),
    day: column.date(),
    paused_ms: column.bigint(),
    tags: column.textArray(),
    memory: column.jsonb<{ n: number }>().nullable().internal(),
  },
});

describe('defineTable', () => {
  it('is the engine’s table spec: timestamp columns derived, document by default', () => {
    expect(clocks.kind).toBe('document');
    expect(clocks.timestamps).toEqual(['due_at', 'started_at']);
    expect(clocks.counters).toBeUndefined();
  });

  it('derives a counter table’s counters: every column outside the key, integers only', () => {
    const counts = defineTable({
      table: 'rm_counts',
      kind: 'counter',
      key: ['unit'],
      columns: { unit: column.text(), received: column.integer(), returned: column.integer() },
    });
    expect(counts.counters).toEqual(['received', 'returned']);
    expect(() =>
      defineTable({
        table: 'rm_bad',
        kind: 'counter',
        key: ['unit'],
        columns: { unit: column.text(), label: column.text() },
      }),
    ).toThrow('counter columns must be integers: label');
  });

  it('refuses a nullable key column', () => {
    expect(() =>
      defineTable({ table: 'rm_bad', key: ['id'], columns: { id: column.text().nullable() } }),
    ).toThrow('key column id is nullable');
  });

  it('describes itself as the catalogue would: names sorted, format_type spellings, key in order', () => {
    expect(describeTable(clocks)).toEqual({
      columns: [
        { name: 'case_id', type: 'uuid', nullable: false },
        { name: 'clock', type: 'text', nullable: false },
        { name: 'day', type: 'date', nullable: false },
        { name: 'due_at', type: 'timestamp with time zone', nullable: true },
        { name: 'memory', type: 'jsonb', nullable: true },
        { name: 'paused_ms', type: 'bigint', nullable: false },
        { name: 'started_at', type: 'timestamp with time zone', nullable: false },
        { name: 'tags', type: 'text[]', nullable: false },
      ],
      key: ['case_id', 'clock'],
    });
  });

  it('names columns for queries, and selects what views may show (internal ones left out)', () => {
    expect(columnsOf(clocks, 'k').due_at).toBe('"k"."due_at"');
    expect(viewSelection(clocks, 'k')).not.toContain('"k"."memory" AS "memory"');
    expect(viewSelection(clocks, 'k')).toContain('"k"."paused_ms" AS "paused_ms"');
  });
});

describe('readRow', () => {
  it('turns node-postgres values into the engine’s: instants, days, int8', () => {
    const row = readRow(clocks, {
      case_id: '6f1c1d1e-0000-4000-8000-000000000001',
      clock: 'response',
      due_at: null,
      started_at: new Date('2026-11-27T01:30:00Z'),
      day: new Date(2026, 10, 27),
      paused_ms: '5400000',
      tags: ['a'],
      extra: 'not a column',
    });
    expect(row).toEqual({
      case_id: '6f1c1d1e-0000-4000-8000-000000000001',
      clock: 'response',
      due_at: null,
      started_at: '2026-11-27T01:30:00.000Z',
      day: '2026-11-27',
      paused_ms: 5_400_000,
      tags: ['a'],
    });
  });

  it('refuses NULL in a NOT NULL column (the schema and the definition disagree)', () => {
    expect(() => readRow(clocks, { case_id: null })).toThrow('rm_example.case_id is NULL');
  });
});

describe('misfit', () => {
  it.each([
    [column.text(), 'x', null],
    [column.text(), 1, 'not a string: 1'],
    [column.uuid(), 'nope', 'not a uuid: "nope"'],
    [column.integer(), 1.5, 'not an integer: 1.5'],
    [column.boolean(), 'true', 'not a boolean: "true"'],
    [column.timestamptz(), '2026-11-27T09:30:00+08:00', 'not an instant: "2026-11-27T09:30:00+08:00"'],
    [column.timestamptz(), '2026-11-27T01:30:00.000Z', null],
    [column.date(), '2026-11-27', null],
    [column.textArray(), ['a', 1], 'not an array of strings: ["a",1]'],
    [column.text(), null, 'NULL in a NOT NULL column'],
    [column.text().nullable(), null, null],
    [column.text(), undefined, 'missing'],
  ] as const)('%o %j → %s', (spec, value, wrong) => {
    expect(misfit(spec, value as never)).toBe(wrong);
  });
});
