import type { CalendarYear } from '../calendar-year';

/**
 * 2026, from 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号, 4 November
 * 2025). Read in Xinhua's release of the full text (新华社北京11月4日电) as Guangming Online,
 * Harbin Radio and TV and the Zhongshan Daily carry it; the document number from a reproduction
 * of the notice's header and several independent citations. Every date is asserted against the
 * notice in state-council-years.unit.spec.ts.
 */
export const YEAR_2026: CalendarYear = {
  year: 2026,
  version: 1,
  source: {
    title: '国务院办公厅关于2026年部分节假日安排的通知',
    documentNumber: '国办发明电〔2025〕7号',
    issuedOn: '2025-11-04',
    url: 'https://politics.gmw.cn/2025-11/04/content_38391083.htm',
  },
  holidays: [
    {
      festivals: ['newYearsDay'],
      from: '2026-01-01',
      to: '2026-01-03',
      makeUpWorkdays: ['2026-01-04'],
      citation: '一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。',
    },
    {
      festivals: ['springFestival'],
      from: '2026-02-15',
      to: '2026-02-23',
      makeUpWorkdays: ['2026-02-14', '2026-02-28'],
      citation:
        '二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。',
    },
    {
      festivals: ['qingmingFestival'],
      from: '2026-04-04',
      to: '2026-04-06',
      makeUpWorkdays: [],
      citation: '三、清明节：4月4日（周六）至6日（周一）放假，共3天。',
    },
    {
      festivals: ['labourDay'],
      from: '2026-05-01',
      to: '2026-05-05',
      makeUpWorkdays: ['2026-05-09'],
      citation: '四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。',
    },
    {
      festivals: ['dragonBoatFestival'],
      from: '2026-06-19',
      to: '2026-06-21',
      makeUpWorkdays: [],
      citation: '五、端午节：6月19日（周五）至21日（周日）放假，共3天。',
    },
    {
      festivals: ['midAutumnFestival'],
      from: '2026-09-25',
      to: '2026-09-27',
      makeUpWorkdays: [],
      citation: '六、中秋节：9月25日（周五）至27日（周日）放假，共3天。',
    },
    {
      festivals: ['nationalDay'],
      from: '2026-10-01',
      to: '2026-10-07',
      makeUpWorkdays: ['2026-09-20', '2026-10-10'],
      citation:
        '七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。',
    },
  ],
};
