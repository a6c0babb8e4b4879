import type { LocalDate } from './local-date';

/**
 * The seven statutory holidays of the 全国年节及纪念日放假办法 (revised November 2024), in the
 * order the State Council's yearly notice lists them. English names as in docs/glossary.md.
 */
export const FESTIVALS = [
  'newYearsDay',
  'springFestival',
  'qingmingFestival',
  'labourDay',
  'dragonBoatFestival',
  'midAutumnFestival',
  'nationalDay',
] as const;

export type Festival = (typeof FESTIVALS)[number];

export const FESTIVAL_NAMES_ZH: Readonly<Record<Festival, string>> = {
  newYearsDay: '元旦',
  springFestival: '春节',
  qingmingFestival: '清明节',
  labourDay: '劳动节',
  dragonBoatFestival: '端午节',
  midAutumnFestival: '中秋节',
  nationalDay: '国庆节',
};

/** The State Council General Office notice a year's data comes from. */
export interface CalendarSource {
  /** 国务院办公厅关于2026年部分节假日安排的通知 */
  readonly title: string;
  /** 国办发明电〔2025〕7号 */
  readonly documentNumber: string;
  /** The date the notice is signed. */
  readonly issuedOn: LocalDate;
  /** Where the text was read. */
  readonly url?: string;
}

/**
 * One numbered item of the notice: a holiday block (放假, `from`…`to` inclusive, weekend days
 * included as the notice counts them) for one festival, or several the notice combines
 * (2025: 国庆节、中秋节), and the weekend days the same item makes working days (调休上班).
 */
export interface HolidayBlock {
  readonly festivals: readonly Festival[];
  readonly from: LocalDate;
  readonly to: LocalDate;
  readonly makeUpWorkdays: readonly LocalDate[];
  /** The notice's own words for this item, so the data can be read against its source. */
  readonly citation?: string;
}

/**
 * A year of the business calendar as data: the statutory holiday blocks and make-up workdays
 * the State Council published for it. Every other Monday to Friday is a business day, every
 * other Saturday and Sunday is not. `version` counts the edits of this year's data (1 for the
 * first), so a due time can say which calendar it was computed on.
 */
export interface CalendarYear {
  readonly year: number;
  readonly version: number;
  readonly source: CalendarSource;
  readonly holidays: readonly HolidayBlock[];
}
