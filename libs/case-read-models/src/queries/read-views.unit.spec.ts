import { formatPosition } from '@tongban/event-store';
import { BusinessCalendar, STATE_COUNCIL_YEARS } from '@tongban/sla';
import type { Column, TableDefinition } from '@tongban/projections';
import {
  cadreWorkloadTable,
  caseDetailTable,
  caseTimelineTable,
  referralTable,
  residentCaseTable,
  slaClockTable,
  worklistTable,
} from '../projections';
import {
  cadreWorkloadView,
  caseDetailFields,
  caseSummaryView,
  referralView,
  residentCaseView,
  slaClockView,
  timelineEntryView,
  worklistItemView,
} from './read-views';

/**
 * The views' side of the drift test (ADR 0021): every column of a queried table is shown by one
 * of its views, unless its definition marks it internal (kept for the projection, or for scoping
 * and filtering in SQL). Each view function runs over a row of the table's definition that
 * records which columns it read; a column added to the table and to no view, or a view that stops
 * showing a column, fails here. (Renames fail to compile: the functions take the definition's
 * row type.)
 */

type ViewFunction = (row: never) => unknown;

const QUERIED: ReadonlyArray<readonly [TableDefinition, readonly ViewFunction[]]> = [
  [caseDetailTable, [caseSummaryView, caseDetailFields]],
  [
    caseTimelineTable,
    [(row: never) => timelineEntryView(row, false), (row: never) => timelineEntryView(row, true)],
  ],
  [
    slaClockTable,
    [
      (row: never) =>
        slaClockView(row, {
          now: Date.parse('2026-11-30T02:00:00.000Z'),
          calendar: BusinessCalendar.create({ years: STATE_COUNCIL_YEARS }),
        }),
    ],
  ],
  [residentCaseTable, [residentCaseView]],
  [worklistTable, [worklistItemView]],
  [referralTable, [referralView]],
  [cadreWorkloadTable, [(row: never) => cadreWorkloadView(row, { dueSoon: 0, overdue: 0 })]],
];

function sample(name: string, column: Column): unknown {
  if (name === 'position') return formatPosition({ tx: 7n, seq: 1n });
  switch (column.sqlType) {
    case 'uuid':
      return '6f1c1d1e-0000-4000-8000-000000000001';
    case 'integer':
    case 'bigint':
      return 1;
    case 'double precision':
      return 1.5;
    case 'boolean':
      return true;
    case 'timestamp with time zone':
      return '2026-11-30T01:00:00.000Z';
    case 'date':
      return '2026-11-30';
    case 'jsonb':
      return name === 'changes' ? { method: 'phone', firstContact: true } : [];
    case 'text[]':
      return [];
    case 'text':
      if (name === 'status') return 'running';
      return name === 'type' ? 'case.resident_contacted' : 'x';
  }
}

/** A row of the definition's view columns whose reads are recorded in `read`. */
function recordingRow(definition: TableDefinition, read: Set<string>): never {
  const row = Object.fromEntries(
    Object.entries(definition.columns)
      .filter(([, column]) => !column.isInternal)
      .map(([name, column]) => [name, sample(name, column)]),
  );
  return new Proxy(row, {
    get(target, property, receiver) {
      if (typeof property === 'string') {
        if (!(property in target))
          throw new Error(`${definition.table}: a view read ${property}, not a view column`);
        read.add(property);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  }) as never;
}

describe('read views ↔ read tables', () => {
  it.each(QUERIED.map(([definition, views]) => [definition.table, definition, views] as const))(
    '%s: every column is shown by a view or marked internal',
    (_table, definition, views) => {
      const read = new Set<string>();
      for (const view of views) view(recordingRow(definition, read));
      const unshown = Object.entries(definition.columns)
        .filter(([name, column]) => !column.isInternal && !read.has(name))
        .map(([name]) => name);
      expect(unshown).toEqual([]);
    },
  );

  it('notices a column no view shows', () => {
    const read = new Set<string>();
    caseSummaryView(recordingRow(caseDetailTable, read));
    // The summary alone does not show the detail's fields: the check above would say which.
    expect(read.has('description')).toBe(false);
  });

  it('the timeline view decodes a known event type for residents (it reads changes and actor)', () => {
    const read = new Set<string>();
    timelineEntryView(recordingRow(caseTimelineTable, read), true);
    expect([...read].sort()).toEqual(
      expect.arrayContaining(['actor_id', 'actor_role', 'at', 'case_id', 'changes', 'type']),
    );
  });
});
