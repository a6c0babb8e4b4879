import { BusinessCalendar, type DayKind } from '../business-calendar';
import type { Festival } from '../calendar-year';
import { DAY_MS, formatDayNumber, parseLocalDate, weekdayOf, type Weekday } from '../local-date';
import { STATE_COUNCIL_YEARS, YEAR_2025, YEAR_2026 } from '.';

/**
 * The shipped years against the State Council's notices, written out here by hand from the text
 * of each notice (not from the data file): every item's first and last holiday day with the
 * weekday the notice prints beside it, its 共N天, and its 上班 days. Each year is then checked day
 * by day, all 365 of them.
 */

/** The weekday as the notice prints it beside a date. */
type NoticeWeekday = '周一' | '周二' | '周三' | '周四' | '周五' | '周六' | '周日';
interface NoticeItem {
  readonly festivals: readonly Festival[];
  readonly from: readonly [string, NoticeWeekday];
  readonly to: readonly [string, NoticeWeekday];
  /** 共N天 (放假1天 for a single day). */
  readonly days: number;
  /** 上班 */
  readonly work: readonly (readonly [string, NoticeWeekday])[];
}

// 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号)
const NOTICE_2025: readonly NoticeItem[] = [
  // 一、元旦：1月1日（周三）放假1天，不调休。
  { festivals: ['newYearsDay'], from: ['01-01', '周三'], to: ['01-01', '周三'], days: 1, work: [] },
  // 二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
  {
    festivals: ['springFestival'],
    from: ['01-28', '周二'],
    to: ['02-04', '周二'],
    days: 8,
    work: [
      ['01-26', '周日'],
      ['02-08', '周六'],
    ],
  },
  // 三、清明节：4月4日（周五）至6日（周日）放假，共3天。
  { festivals: ['qingmingFestival'], from: ['04-04', '周五'], to: ['04-06', '周日'], days: 3, work: [] },
  // 四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
  {
    festivals: ['labourDay'],
    from: ['05-01', '周四'],
    to: ['05-05', '周一'],
    days: 5,
    work: [['04-27', '周日']],
  },
  // 五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
  { festivals: ['dragonBoatFestival'], from: ['05-31', '周六'], to: ['06-02', '周一'], days: 3, work: [] },
  // 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
  {
    festivals: ['nationalDay', 'midAutumnFestival'],
    from: ['10-01', '周三'],
    to: ['10-08', '周三'],
    days: 8,
    work: [
      ['09-28', '周日'],
      ['10-11', '周六'],
    ],
  },
];

// 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号)
const NOTICE_2026: readonly NoticeItem[] = [
  // 一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
  {
    festivals: ['newYearsDay'],
    from: ['01-01', '周四'],
    to: ['01-03', '周六'],
    days: 3,
    work: [['01-04', '周日']],
  },
  // 二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
  {
    festivals: ['springFestival'],
    from: ['02-15', '周日'],
    to: ['02-23', '周一'],
    days: 9,
    work: [
      ['02-14', '周六'],
      ['02-28', '周六'],
    ],
  },
  // 三、清明节：4月4日（周六）至6日（周一）放假，共3天。
  { festivals: ['qingmingFestival'], from: ['04-04', '周六'], to: ['04-06', '周一'], days: 3, work: [] },
  // 四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
  {
    festivals: ['labourDay'],
    from: ['05-01', '周五'],
    to: ['05-05', '周二'],
    days: 5,
    work: [['05-09', '周六']],
  },
  // 五、端午节：6月19日（周五）至21日（周日）放假，共3天。
  { festivals: ['dragonBoatFestival'], from: ['06-19', '周五'], to: ['06-21', '周日'], days: 3, work: [] },
  // 六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
  { festivals: ['midAutumnFestival'], from: ['09-25', '周五'], to: ['09-27', '周日'], days: 3, work: [] },
  // 七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
  {
    festivals: ['nationalDay'],
    from: ['10-01', '周四'],
    to: ['10-07', '周三'],
    days: 7,
    work: [
      ['09-20', '周日'],
      ['10-10', '周六'],
    ],
  },
];

const WEEKDAY_OF: Readonly<Record<NoticeWeekday, Weekday>> = {
  周一: 'monday',
  周二: 'tuesday',
  周三: 'wednesday',
  周四: 'thursday',
  周五: 'friday',
  周六: 'saturday',
  周日: 'sunday',
};

const NOTICES = [
  {
    year: 2025,
    data: YEAR_2025,
    notice: NOTICE_2025,
    title: '国务院办公厅关于2025年部分节假日安排的通知',
    number: '国办发明电〔2024〕12号',
  },
  {
    year: 2026,
    data: YEAR_2026,
    notice: NOTICE_2026,
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    number: '国办发明电〔2025〕7号',
  },
] as const;

const day = (year: number, mmdd: string): number => parseLocalDate(`${year}-${mmdd}`)!;

describe.each(NOTICES)('the $year calendar', ({ year, data, notice, title, number }) => {
  const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS, unknownYears: 'refuse' });

  it('cites the notice it comes from', () => {
    expect(data.source).toMatchObject({ title, documentNumber: number });
  });

  it('has the weekdays the notice prints beside each date (the table above is transcribed right)', () => {
    for (const item of notice)
      for (const [mmdd, label] of [item.from, item.to, ...item.work])
        expect({ date: `${year}-${mmdd}`, weekday: weekdayOf(day(year, mmdd)) }).toEqual({
          date: `${year}-${mmdd}`,
          weekday: WEEKDAY_OF[label],
        });
  });

  it('has holiday blocks as long as the notice counts them (共N天)', () => {
    for (const item of notice)
      expect({
        festivals: item.festivals,
        days: day(year, item.to[0]) - day(year, item.from[0]) + 1,
      }).toEqual({
        festivals: item.festivals,
        days: item.days,
      });
  });

  it('holds the notice item by item', () => {
    expect(
      data.holidays.map((b) => ({ festivals: b.festivals, from: b.from, to: b.to, work: b.makeUpWorkdays })),
    ).toEqual(
      notice.map((item) => ({
        festivals: item.festivals,
        from: `${year}-${item.from[0]}`,
        to: `${year}-${item.to[0]}`,
        work: item.work.map(([mmdd]) => `${year}-${mmdd}`),
      })),
    );
  });

  it('classifies every day of the year as the notice says', () => {
    const expected = new Map<string, { kind: DayKind; festivals: readonly Festival[] }>();
    for (const item of notice) {
      for (let d = day(year, item.from[0]); d <= day(year, item.to[0]); d++)
        expected.set(formatDayNumber(d), { kind: 'statutoryHoliday', festivals: item.festivals });
      for (const [mmdd] of item.work)
        expected.set(`${year}-${mmdd}`, { kind: 'makeUpWorkday', festivals: [] });
    }
    const first = Date.UTC(year, 0, 1) / DAY_MS;
    const last = Date.UTC(year, 11, 31) / DAY_MS;
    const wrong: string[] = [];
    for (let d = first; d <= last; d++) {
      const date = formatDayNumber(d);
      const weekend = ['saturday', 'sunday'].includes(weekdayOf(d));
      const want = expected.get(date) ?? { kind: weekend ? 'weekend' : 'weekday', festivals: [] };
      const got = calendar.describeDay(date);
      const businessDay = want.kind === 'weekday' || want.kind === 'makeUpWorkday';
      if (
        got.kind !== want.kind ||
        got.businessDay !== businessDay ||
        calendar.isBusinessDay(date) !== businessDay ||
        got.festivals.join() !== want.festivals.join() ||
        !got.known
      )
        wrong.push(`${date}: ${got.kind}, expected ${want.kind}`);
    }
    expect(wrong).toEqual([]);
    expect(last - first + 1).toBe(365);
  });

  it('has 248 business days, as the notice makes them', () => {
    let count = 0;
    for (let d = Date.UTC(year, 0, 1) / DAY_MS; d <= Date.UTC(year, 11, 31) / DAY_MS; d++)
      if (calendar.isBusinessDay(formatDayNumber(d))) count++;
    expect(count).toBe(248);
  });
});
