/**
 * One written form per address, so that the ways residents and registers write the same place
 * compare equal. `normalizeAddress` is applied to the index's records, to the place names used
 * as prefixes and to every query alike; what it merges must be the same place, never two.
 *
 * Rules, in order:
 * 1. Unicode NFKC: full-width digits, letters, spaces and punctuation become ASCII (５ → 5,
 *    Ａ → A, `＃` → `#`, U+3000 → space); a few traditional forms used in registers become
 *    simplified (號 棟 單 樓 層 區 → 号 栋 单 楼 层 区). ASCII letters are lowercased.
 * 2. Dashes of every width become `-`; then whitespace and every character that is not a digit,
 *    an ASCII letter, a Han character, `#` or `-` is dropped (spaces, brackets, commas…).
 * 3. Chinese numerals directly before a building, unit, floor, room or door marker become digits
 *    (三号楼 → 3号楼, 十二栋 → 12栋, 二十三单元 → 23单元, 三〇一室 → 301室). Elsewhere they are
 *    part of a name (五一小区, 十里河) and stay.
 * 4. `5-2-301` (three dash-separated numbers, not followed by 号) is building 5, unit 2, room 301.
 * 5. Building markers become `栋`: 号楼, 号栋, 号幢, 号座, 栋楼, 幢楼, #楼, 栋, 幢, 座 and `#` after
 *    a number or a single letter (5号楼 / 5栋 / 5幢 / 5# / a座 → 5栋 / a栋). A bare 号 stays: it is a
 *    door number (魏都大道18号), not a building. A bare 楼 stays: after a building it is a floor.
 * 6. Unit markers become `单元`: 单元 and a bare 单 after a number (2单301 → 2单元301).
 * 7. `第` before a building or unit number and leading zeros of building and unit numbers are
 *    dropped (第05栋 → 5栋); leftover `#` and any `-` not between two digits/letters are dropped.
 *
 * Prefixes (province, city, district, street, community) and the 小区/社区 suffixes are kept
 * here: which of them may be dropped depends on the directory's place names, so the address
 * index decides (see address-index.ts).
 */

const TRADITIONAL: Readonly<Record<string, string>> = {
  號: '号',
  棟: '栋',
  單: '单',
  樓: '楼',
  層: '层',
  區: '区',
};

const CHINESE_DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

const TRADITIONAL_PATTERN = /[號棟單樓層區]/g;
/** Only printable ASCII, 〇 and CJK unified ideographs, which NFKC leaves as they are: the usual query. */
const PLAIN = /^[\u0020-\u007e\u3007\u3400-\u4dbf\u4e00-\u9fff]*$/;
const UPPER_CASE = /[A-Z]/;
const DASHES = /[\u2010-\u2015\u2212\u30fc\ufe58\ufe63]/g;
/** Kept: digits, letters, `#`, `-`, Han (〇, CJK unified, extension A, compatibility, and astral planes). */
const NOT_KEPT = /[^0-9a-z\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ud800-\udfff#-]+/g;
const CHINESE_NUMBER_BEFORE_MARKER = /[零〇一二两三四五六七八九十百]+(?=号|栋|幢|座|单|层|楼|室|#)/g;
const DASHED_BUILDING_UNIT_ROOM = /(?<![\d-])(\d+)-(\d+)-(\d+)(?![\d-]|号)/g;
const BUILDING_MARKER = /号[楼栋幢座]|[栋幢]楼|#楼|[栋幢座#]/g;
const UNIT_MARKER = /单(?!元)/g;
const ORDINAL = /第(?=\d+(?:栋|单元))/g;
const LEADING_ZEROS = /(?<!\d)0+(?=\d+(?:栋|单元))/g;
const STRAY_MARKS = /#|-(?![0-9a-z])|(?<![0-9a-z])-/g;

const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const isLetterCode = (c: number): boolean => c >= 97 && c <= 122;

/** The marker at `at` follows a number (5栋) or a single letter (a座), not a name or a word. */
function followsNumber(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  if (isDigitCode(before)) return true;
  return isLetterCode(before) && !isLetterCode(text.charCodeAt(at - 2));
}

/** The written-variant-free form of an address (rules above); '' when nothing is left. */
export function normalizeAddress(text: string): string {
  // The passes are guarded by cheap tests: lookups normalize every query.
  let s = text;
  if (!PLAIN.test(s)) s = s.normalize('NFKC').replace(DASHES, '-');
  if (UPPER_CASE.test(s)) s = s.toLowerCase();
  s = s.replace(TRADITIONAL_PATTERN, (c) => TRADITIONAL[c] ?? c).replace(NOT_KEPT, '');
  s = s.replace(CHINESE_NUMBER_BEFORE_MARKER, chineseNumberToDigits);
  if (s.includes('-')) s = s.replace(DASHED_BUILDING_UNIT_ROOM, '$1栋$2单元$3室');
  s = s.replace(BUILDING_MARKER, (marker: string, at: number, all: string) =>
    followsNumber(all, at) ? '栋' : marker,
  );
  if (s.includes('单')) {
    s = s.replace(UNIT_MARKER, (marker: string, at: number, all: string) =>
      followsNumber(all, at) ? '单元' : marker,
    );
  }
  if (s.includes('第')) s = s.replace(ORDINAL, '');
  if (s.includes('0')) s = s.replace(LEADING_ZEROS, '');
  if (s.includes('#') || s.includes('-')) s = s.replace(STRAY_MARKS, '');
  return s;
}

/**
 * 三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105; without 十/百 digit by digit (三〇一 → 301). A run
 * that is not a well-formed number (十十) is left as written.
 */
function chineseNumberToDigits(run: string): string {
  if (!/[十百]/.test(run)) return [...run].map((c) => String(CHINESE_DIGITS[c] ?? c)).join('');
  const match =
    /^(?:([一二两三四五六七八九])?百)?(?:零?([一二两三四五六七八九])?十)?零?([一二两三四五六七八九])?$/.exec(
      run,
    );
  if (!match || run === '') return run;
  const [, hundreds, tens, ones] = match;
  const digit = (c: string | undefined, present: boolean): number =>
    c === undefined ? (present ? 1 : 0) : (CHINESE_DIGITS[c] ?? 0);
  return String(
    digit(hundreds, run.includes('百')) * 100 + digit(tens, run.includes('十')) * 10 + digit(ones, false),
  );
}
