import { KPI_RATES, KPI_RATE_NAMES_ZH, type KpiCount } from '@tongban/sla';
import type { KpiView } from './kpi.dto';

/**
 * CSV as spreadsheet programs read it (RFC 4180): a UTF-8 byte order mark first, so Excel and WPS
 * take the file as UTF-8 and show the Chinese headers; CRLF line ends; a field quoted when it holds
 * a quote, comma or line break, its quotes doubled.
 */
export const CSV_BOM = '\uFEFF';

/** A cell: text is escaped, numbers are written as they are, null is an empty cell. */
export type CsvCell = string | number | null;

/**
 * Text a spreadsheet would take for a formula (=, +, -, @, and tab or carriage return before
 * them) gets a leading apostrophe, so an exported value can never run as one (CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError(`not a finite number: ${cell}`);
    return String(cell);
  }
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(rows: ReadonlyArray<readonly CsvCell[]>): string {
  return CSV_BOM + rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** A rate as a percentage with one decimal (0.8333 → 83.3); null (no denominator) as an empty cell. */
export function percent(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 10;
}

/** The counters' Chinese headers, in the order the file shows them. */
export const KPI_COUNT_HEADERS: ReadonlyArray<readonly [KpiCount, string]> = [
  ['received', '受理量'],
  ['returned', '退单量'],
  ['responded', '响应量'],
  ['responded_in_time', '按时响应量'],
  ['resolved', '办结量'],
  ['resolved_in_time', '按期办结量'],
  ['rated', '参评量'],
  ['satisfied', '满意'],
  ['basically_satisfied', '基本满意'],
  ['unsatisfied', '不满意'],
  ['solved', '已解决'],
  ['breached', '超期'],
  ['reopened', '重新办理量'],
];

export const KPI_CSV_HEADERS: readonly string[] = [
  '单位',
  '期间',
  '起始日',
  '截止日',
  ...KPI_COUNT_HEADERS.map(([, header]) => header),
  ...KPI_RATES.map((rate) => `${KPI_RATE_NAMES_ZH[rate]}(%)`),
  '统计口径',
  '事项',
  '事项类别',
];

/** What the 事项 and 事项类别 cells say when the answer is not cut to one. */
export const ALL_MATTERS = '全部';

/**
 * The KPI answer as a spreadsheet: one line per period and unit, the definition named on each, and
 * the matter and category the answer is cut to (全部: every one), so a file read without its query
 * still says what it counts.
 */
export function kpiCsv(view: KpiView): string {
  const definition = `${view.definition.name} (v${view.definition.version})`;
  return toCsv([
    KPI_CSV_HEADERS,
    ...view.items.map((row) => [
      row.unit,
      row.period.label,
      row.period.from,
      row.period.to,
      ...KPI_COUNT_HEADERS.map(([counter]) => row.counts[counter]),
      ...KPI_RATES.map((rate) => percent(row.rates[rate])),
      definition,
      view.matter ?? ALL_MATTERS,
      view.category ?? ALL_MATTERS,
    ]),
  ]);
}
