import { CaseNumberBlocks, formatCaseNumber, localDay } from './case-number-blocks';

/** The counter table in memory: one row per day, each reservation adds `size`. */
function counterRows(): {
  reserve: (day: string, size: number) => Promise<number>;
  calls: string[];
} {
  const rows = new Map<string, number>();
  const calls: string[] = [];
  return {
    calls,
    reserve: async (day, size) => {
      calls.push(day);
      await new Promise((resolve) => setImmediate(resolve));
      const last = (rows.get(day) ?? 0) + size;
      rows.set(day, last);
      return last;
    },
  };
}

describe('case numbers from reserved blocks', () => {
  describe('an empty block', () => {
    it('reserves ONE block for many concurrent intakes and hands out each number once', async () => {
      const counter = counterRows();
      const blocks = new CaseNumberBlocks(counter.reserve, 10);
      const taken = await Promise.all(Array.from({ length: 25 }, () => blocks.take('2026-11-30')));
      expect([...taken].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      expect(counter.calls).toHaveLength(3);
    });

    it('never overlaps the block another process reserved on the same row', async () => {
      const counter = counterRows();
      const one = new CaseNumberBlocks(counter.reserve, 5);
      const two = new CaseNumberBlocks(counter.reserve, 5);
      const taken = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? one : two).take('2026-11-30')),
      );
      expect(new Set(taken).size).toBe(40);
    });
  });

  describe('a block in use', () => {
    it('hands out a number given back (its intake rolled back) before the next one', async () => {
      const blocks = new CaseNumberBlocks(counterRows().reserve, 10);
      const first = await blocks.take('2026-11-30');
      await blocks.take('2026-11-30');
      blocks.giveBack('2026-11-30', first);
      expect(await blocks.take('2026-11-30')).toBe(first);
      expect(await blocks.take('2026-11-30')).toBe(3);
    });

    it('keeps each day apart: a new day starts its own block on its own row', async () => {
      const counter = counterRows();
      const blocks = new CaseNumberBlocks(counter.reserve, 10);
      expect(await blocks.take('2026-11-30')).toBe(1);
      expect(await blocks.take('2026-12-01')).toBe(1);
      expect(await blocks.take('2026-11-30')).toBe(2);
      expect(counter.calls).toEqual(['2026-11-30', '2026-12-01']);
    });
  });

  it('refuses a block size that is not a positive whole number', () => {
    expect(() => new CaseNumberBlocks(counterRows().reserve, 0)).toThrow(/block size/);
  });
});

describe('the intake day and number', () => {
  it('follows the district calendar: 00:30 in Shanghai is already the next day', () => {
    expect(localDay('2026-11-30T16:30:00.000Z', 'Asia/Shanghai')).toBe('2026-12-01');
    expect(localDay('2026-11-30T15:59:59.999Z', 'Asia/Shanghai')).toBe('2026-11-30');
    expect(localDay('2026-11-30T16:30:00.000Z', 'UTC')).toBe('2026-11-30');
  });

  it('formats PC-YYYYMMDD-NNNNNN', () => {
    expect(formatCaseNumber('PC', '2026-12-01', 123)).toBe('PC-20261201-000123');
    expect(formatCaseNumber('PC', '2026-12-01', 1_234_567)).toBe('PC-20261201-1234567');
  });
});
