import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { maskIdNumber, maskPersonalDataInText, maskPhone, redactPersonalData } from './personal-data';

/**
 * The masker without its fast path, from the same patterns: whatever string the fast path lets
 * through unchanged, the full replacement must leave unchanged too. If the patterns in
 * personal-data.ts change, change them here as well — and check the fast path's premise (no
 * match without four ASCII digits in a row) still holds.
 */
const MOBILE = /(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g;
const RESIDENT_ID = /(?<![0-9A-Za-z])(\d{17}[0-9Xx]|\d{15})(?![0-9A-Za-z])/g;
const maskFully = (text: string): string =>
  text
    .replace(RESIDENT_ID, (id: string) => maskIdNumber(id))
    .replace(MOBILE, (_m, a: string, b: string, c: string) => maskPhone(a + b + c));

// Digits, the separators the phone pattern allows, full-width digits, letters, CJK text, and
// the characters around numbers in real messages.
const CHARACTERS = [
  ...'0123456789',
  ...'0123456789',
  ' ',
  '-',
  '+',
  'X',
  'x',
  'a',
  '８',
  '１',
  '电',
  '话',
  '：',
  '。',
  '\n',
];
const text = fc.array(fc.constantFrom(...CHARACTERS), { maxLength: 60 }).map((chars) => chars.join(''));

describe('the masker’s fast path (strings without four digits in a row)', () => {
  it('answers exactly what the full replacement answers, for any string', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(maskPersonalDataInText(s)).toBe(maskFully(s));
      }),
      { numRuns: 5_000 },
    );
  });

  it('still masks phone numbers split by spaces or dashes, and with the country code', () => {
    for (const phone of [
      '138 1234 5678',
      '138-1234-5678',
      '+86 138-1234-5678',
      '+8613812345678',
      '86-13812345678',
    ]) {
      const masked = maskPersonalDataInText(`居民电话：${phone}。`);
      expect(masked).toContain('138****5678');
      expect(masked).not.toMatch(/1234/);
    }
  });

  it('still masks ID numbers next to CJK text and with a lower-case check letter', () => {
    expect(maskPersonalDataInText('身份证11010119900307123x号')).toBe('身份证110101********123x号');
    expect(maskPersonalDataInText('旧证110101900307123。')).toBe('旧证110101*****7123。');
  });

  it('handles full-width digits exactly as the full replacement does', () => {
    for (const s of ['１３８１２３４５６７８', '电话１３８-1234-5678', '138１２３４5678', '13８12345678']) {
      expect(maskPersonalDataInText(s)).toBe(maskFully(s));
    }
  });

  it('lets strings without four digits in a row through as they are', () => {
    for (const s of ['request completed', 'case PC-20261127-000123 filed', 'a1b2c3', '12-34-56 789']) {
      expect(maskPersonalDataInText(s)).toBe(maskFully(s));
    }
    expect(maskPersonalDataInText('request completed')).toBe('request completed');
  });
});

describe('redacting with remembered field names', () => {
  it('masks by field name however the name is spelled, the first time and every time after', () => {
    for (let i = 0; i < 3; i++) {
      const text = JSON.stringify(
        redactPersonalData({
          Phone: '13900001111',
          'contact-phone': '13900002222',
          ID_NUMBER: '110101199003071234',
          'Full Name': '王小明',
          Authorization: 'Bearer abc.def.ghi',
        }),
      );
      for (const secret of ['13900001111', '13900002222', '110101199003071234', '王小明', 'abc.def.ghi']) {
        expect(text).not.toContain(secret);
      }
    }
  });

  it('still masks by name past the bound of remembered names', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 3_000; i++) many[`field${i}`] = 'x';
    redactPersonalData(many);
    expect(redactPersonalData({ residentPhone: '13900003333' })).toEqual({ residentPhone: '139****3333' });
  });

  it('still walks a raw HTTP response and drops the credentials it carries', () => {
    const req = new IncomingMessage(new Socket());
    req.headers = { authorization: 'Bearer abc.def.ghi', 'x-phone': '13900004444' };
    const res = new ServerResponse(req);
    const text = JSON.stringify(redactPersonalData({ res, req }));
    expect(text).not.toContain('abc.def.ghi');
    expect(text).not.toContain('13900004444');
  });
});
