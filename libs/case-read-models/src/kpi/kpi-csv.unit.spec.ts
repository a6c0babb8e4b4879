import { TONGBAN_2026_2 } from '@tongban/sla';
import { CSV_BOM, KPI_CSV_HEADERS, csvField, kpiCsv, percent, toCsv } from './kpi-csv';
import type { KpiView } from './kpi.dto';

describe('the CSV writer', () => {
  it('starts with the UTF-8 byte order mark and ends lines with CRLF', () => {
    const csv = toCsv([
      ['单位', '受理量'],
      ['pc.gucheng', 3],
    ]);
    expect([...Buffer.from(csv, 'utf8').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv).toBe(`${CSV_BOM}单位,受理量\r\npc.gucheng,3\r\n`);
  });

  it('quotes fields holding quotes, commas or line breaks, doubling the quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField(null)).toBe('');
  });

  it('prefixes text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\t=1')).toBe("'\t=1");
    // Numbers are numbers, a negative one too; text that only contains the signs is left alone.
    expect(csvField(-12.5)).toBe('-12.5');
    expect(csvField('a-b=c')).toBe('a-b=c');
    expect(() => csvField(Number.NaN)).toThrow(RangeError);
  });

  it('writes rates as percentages with one decimal', () => {
    expect(percent(2 / 3)).toBe(66.7);
    expect(percent(1)).toBe(100);
    expect(percent(0)).toBe(0);
    expect(percent(null)).toBeNull();
  });

  it('writes the KPI answer with Chinese headers, one line per period and unit', () => {
    const zero = {
      received: 0,
      returned: 0,
      responded: 0,
      responded_in_time: 0,
      resolved: 0,
      resolved_in_time: 0,
      rated: 0,
      satisfied: 0,
      basically_satisfied: 0,
      unsatisfied: 0,
      solved: 0,
      breached: 0,
      reopened: 0,
    };
    const view: KpiView = {
      unit: 'pc.gucheng',
      by: 'community',
      period: 'month',
      from: '2026-04-01',
      to: '2026-04-30',
      matter: null,
      category: '物业管理',
      definition: { name: TONGBAN_2026_2.name, version: 2, title: TONGBAN_2026_2.title },
      items: [
        {
          period: { label: '2026-04', from: '2026-04-01', to: '2026-04-30' },
          unit: 'pc.gucheng.taiyangcheng',
          counts: { ...zero, received: 3, rated: 3, satisfied: 2 },
          rates: {
            responseRate: 0,
            resolutionRate: 0,
            satisfactionRate: 2 / 3,
            onTimeResolutionRate: null,
            firstDispatchAccuracy: 1,
            reopenRate: null,
          },
        },
      ],
      consistency: { status: 'current', position: '0', requested: null },
    };
    const lines = kpiCsv(view).slice(1).split('\r\n');
    expect(lines[0]).toBe(KPI_CSV_HEADERS.join(','));
    expect(lines[0]).toContain('单位,期间,起始日,截止日,受理量');
    expect(lines[0]).toContain(
      '响应率(%),解决率(%),满意率(%),按期办结率(%),派单准确率(%),重新办理率(%),统计口径,事项,事项类别',
    );
    expect(lines[1]).toBe(
      'pc.gucheng.taiyangcheng,2026-04,2026-04-01,2026-04-30,3,0,0,0,0,0,3,2,0,0,0,0,0,0,0,66.7,,100,,tongban-2026.2 (v2),全部,物业管理',
    );
    expect(lines[2]).toBe('');
  });
});
