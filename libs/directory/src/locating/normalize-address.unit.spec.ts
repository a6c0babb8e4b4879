import { normalizeAddress } from './normalize-address';

describe('normalizeAddress', () => {
  it.each([
    ['full-width digits and letters', '云泉里小区５号楼Ａ座', '云泉里小区5栋a栋'],
    ['full-width space and stray spaces', ' 云泉里\u3000小区 5 号楼 ', '云泉里小区5栋'],
    ['号楼', '5号楼', '5栋'],
    ['栋', '5栋', '5栋'],
    ['幢', '5幢', '5栋'],
    ['座', '5座', '5栋'],
    ['#', '5#', '5栋'],
    ['full-width ＃ with 楼', '5＃楼', '5栋'],
    ['a letter building', 'B座', 'b栋'],
    ['Chinese numerals before a marker', '三号楼二单元三〇一室', '3栋2单元301室'],
    ['tens', '十二栋二十三单元', '12栋23单元'],
    ['hundreds', '一百零五号', '105号'],
    ['Chinese numerals in a name stay', '五一小区十里河', '五一小区十里河'],
    ['单 for 单元', '5栋2单301', '5栋2单元301'],
    ['dashed building-unit-room', '云泉里5-2-301', '云泉里5栋2单元301室'],
    ['a dashed door number stays', '魏都大道18-2号', '魏都大道18-2号'],
    ['第 and leading zeros', '第05栋', '5栋'],
    ['punctuation and brackets', '振华街道，云泉里（小区）5号楼。', '振华街道云泉里小区5栋'],
    ['traditional forms', '5號樓2單元', '5栋2单元'],
    ['a bare 号 is a door number', '魏都大道18号', '魏都大道18号'],
    ['long dashes', '云泉里5—2—301', '云泉里5栋2单元301室'],
    ['nothing left', ' ，。 ', ''],
  ])('%s', (_rule, text, expected) => {
    expect(normalizeAddress(text)).toBe(expected);
  });

  it('keeps different buildings apart', () => {
    const keys = ['5号楼', '15号楼', '50号楼', '5号', '5楼'].map(normalizeAddress);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
