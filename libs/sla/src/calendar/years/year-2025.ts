import type { CalendarYear } from '../calendar-year';

/**
 * 2025, from 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 12 November
 * 2024), the first notice under the November 2024 revision of the 全国年节及纪念日放假办法 (one
 * more day each for 春节 and 劳动节). Read in Xinhua's release of the full text (新华社北京11月12日电)
 * as Guangming Online carries it; the document number from a reproduction of the notice's header.
 * Every date is asserted against the notice in state-council-years.unit.spec.ts.
 */
export const YEAR_2025: CalendarYear = {
  year: 2025,
  version: 1,
  source: {
    title: '国务院办公厅关于2025年部分节假日安排的通知',
    documentNumber: '国办发明电〔2024〕12号',
    issuedOn: '2024-11-12',
    url: 'https://m.gmw.cn/2024-11/12/content_1303894933.htm',
  },
  holidays: [
    {
      festivals: ['newYearsDay'],
      from: '2025-01-01',
      to: '2025-01-01',
      makeUpWorkdays: [],
      citation: '一、元旦：1月1日（周三）放假1天，不调休。',
    },
    {
      festivals: ['springFestival'],
      from: '2025-01-28',
      to: '2025-02-04',
      makeUpWorkdays: ['2025-01-26', '2025-02-08'],
      citation:
        '二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。',
    },
    {
      festivals: ['qingmingFestival'],
      from: '2025-04-04',
      to: '2025-04-06',
      makeUpWorkdays: [],
      citation: '三、清明节：4月4日（周五）至6日（周日）放假，共3天。',
    },
    {
      festivals: ['labourDay'],
      from: '2025-05-01',
      to: '2025-05-05',
      makeUpWorkdays: ['2025-04-27'],
      citation: '四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。',
    },
    {
      festivals: ['dragonBoatFestival'],
      from: '2025-05-31',
      to: '2025-06-02',
      makeUpWorkdays: [],
      citation: '五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。',
    },
    {
      // The notice combines them: 国庆节放假如逢中秋节则合并放假8天.
      festivals: ['nationalDay', 'midAutumnFestival'],
      from: '2025-10-01',
      to: '2025-10-08',
      makeUpWorkdays: ['2025-09-28', '2025-10-11'],
      citation:
        '六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。',
    },
  ],
};
