/** How many numbers a process reserves on a day's counter row at a time (ADR 0013). */
export const CASE_NUMBER_BLOCK_SIZE = 100;

/**
 * Reserves `size` numbers of `day` and answers the last one of the block: the block is
 * `(last - size, last]`. Must be its own short autocommit statement, never part of an intake's
 * transaction (standalone has ONE connection, and the row must not stay locked).
 */
export type ReserveCaseNumbers = (day: string, size: number) => Promise<number>;

interface DayBlock {
  /** The last number handed out from the current block. */
  next: number;
  /** The last number of the current block. */
  end: number;
  /** Numbers handed out and given back unused (their intake rolled back): handed out first. */
  readonly returned: number[];
  refill: Promise<void> | undefined;
}

/** The days kept in memory: today, and yesterday for intakes that started before midnight. */
const DAYS_KEPT = 2;

/**
 * Per-day case numbers handed out in memory from blocks reserved on the counter row (hi/lo), so
 * intakes no longer queue on that row: it is locked once per block, for one statement. Unique,
 * because blocks never overlap; not gap-free, and interleaved across processes (ADR 0013).
 */
export class CaseNumberBlocks {
  private readonly days = new Map<string, DayBlock>();

  constructor(
    private readonly reserve: ReserveCaseNumbers,
    private readonly size = CASE_NUMBER_BLOCK_SIZE,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`Invalid case number block size ${size}`);
  }

  /** A number of `day` nobody else has been given. */
  async take(day: string): Promise<number> {
    const block = this.blockFor(day);
    for (;;) {
      const returned = block.returned.pop();
      if (returned !== undefined) return returned;
      if (block.next < block.end) return ++block.next;
      // Concurrent intakes that find the block empty share ONE reservation.
      block.refill ??= this.refill(day, block).finally(() => {
        block.refill = undefined;
      });
      await block.refill;
    }
  }

  /**
   * A number taken but certainly not used (its transaction rolled back before COMMIT was sent),
   * handed out again. Never for a number whose COMMIT may have gone through.
   */
  giveBack(day: string, value: number): void {
    this.days.get(day)?.returned.push(value);
  }

  private blockFor(day: string): DayBlock {
    let block = this.days.get(day);
    if (!block) {
      block = { next: 0, end: 0, returned: [], refill: undefined };
      this.days.set(day, block);
      // Forget the oldest day: its unused numbers are skipped, which ADR 0013 allows.
      for (const old of this.days.keys()) {
        if (this.days.size <= DAYS_KEPT) break;
        this.days.delete(old);
      }
    }
    return block;
  }

  private async refill(day: string, block: DayBlock): Promise<void> {
    const last = await this.reserve(day, this.size);
    block.end = last;
    block.next = last - this.size;
  }
}

/** PC-20261127-000123: the prefix, the local day and the day's number, six digits at least. */
export function formatCaseNumber(prefix: string, day: string, value: number): string {
  return `${prefix}-${day.replace(/-/g, '')}-${String(value).padStart(6, '0')}`;
}

/** The calendar day of an instant in the district's time zone, as YYYY-MM-DD. */
export function localDay(at: string, timeZone: string): string {
  return dayFormatter(timeZone).format(new Date(at));
}

// Making an Intl.DateTimeFormat costs about 150 µs (the time zone's rules are loaded each time);
// formatting with one costs about 2. There is one district time zone per process.
const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, formatter);
  }
  return formatter;
}
