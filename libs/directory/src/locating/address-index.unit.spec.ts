import { type AddressRecord, type CommunityRecord, type StreetRecord } from '../model';
import { AddressIndex } from './address-index';

const streets: StreetRecord[] = [
  { code: 'pc.zhenhua', name: '振华街道' },
  { code: 'pc.gucheng', name: '古城街道' },
];
const communities: CommunityRecord[] = [
  { code: 'pc.zhenhua.yunquan', street: 'pc.zhenhua', name: '云泉社区' },
  { code: 'pc.zhenhua.xingfu', street: 'pc.zhenhua', name: '幸福社区' },
  { code: 'pc.gucheng.taiyangcheng', street: 'pc.gucheng', name: '太阳城社区' },
];
const G = {
  yunquan1: 'pc.zhenhua.yunquan.g01',
  yunquan2: 'pc.zhenhua.yunquan.g02',
  yunquan3: 'pc.zhenhua.yunquan.g03',
  xingfu1: 'pc.zhenhua.xingfu.g01',
  xingfu2: 'pc.zhenhua.xingfu.g02',
  sun1: 'pc.gucheng.taiyangcheng.g01',
  sun2: 'pc.gucheng.taiyangcheng.g02',
  sun3: 'pc.gucheng.taiyangcheng.g03',
  sun4: 'pc.gucheng.taiyangcheng.g04',
};
const record = (text: string, grid: string): AddressRecord => ({
  text,
  grid,
  community: grid.split('.').slice(0, 3).join('.'),
});
const addresses: AddressRecord[] = [
  record('振华街道云泉里小区5号楼', G.yunquan1),
  record('振华街道云泉里小区6号楼', G.yunquan1),
  record('振华街道云泉里小区15号楼', G.yunquan2),
  record('振华街道云泉里小区50号楼', G.yunquan3),
  // The same building written twice, same grid: not ambiguous.
  record('振华街道云泉里5栋', G.yunquan1),
  // A 幸福小区 in both streets.
  record('古城街道幸福小区3号楼', G.sun1),
  record('振华街道幸福小区3号楼', G.xingfu1),
  // Two records that normalize alike but disagree on the grid: ambiguous whatever the prefix.
  record('振华街道明珠花园1号楼', G.xingfu1),
  record('振华街道明珠花园1栋', G.xingfu2),
  // A whole compound in one grid, and one of its buildings in another.
  record('古城街道太阳城小区', G.sun2),
  record('古城街道太阳城小区8号楼', G.sun3),
  // Door numbers on roads; one road is named like the street's short form.
  record('魏都大道18号', G.sun4),
  record('古城街12号', G.sun4),
  // A register that writes a building without a marker.
  record('振华街道御河苑7', G.yunquan2),
];

const index = new AddressIndex(addresses, {
  district: { code: 'pc', name: '平城区' },
  streets,
  communities,
});

describe('AddressIndex', () => {
  describe('written variants of 振华街道云泉里小区5号楼', () => {
    it.each([
      '振华街道云泉里小区5号楼',
      '云泉里小区5号楼',
      '云泉里5号楼',
      '云泉里小区５号楼',
      '云泉里小区5栋',
      '云泉里小区5幢',
      '云泉里小区5座',
      '云泉里小区5#楼',
      '云泉里小区５＃',
      '云泉里小区五号楼',
      '云泉里小区第5栋',
      '云泉里小区05号楼',
      '云泉里小区5號樓',
      '云泉里小区5号楼2单元301室',
      '云泉里小区5号楼2单301',
      '云泉里小区5号楼二单元三〇一室',
      '云泉里小区5栋3层',
      '云泉里小区5-2-301',
      '山西省大同市平城区振华街道云泉里小区5号楼',
      '大同市平城区云泉里小区5号楼',
      '山西大同平城云泉里5栋',
      '平城区振华街云泉里小区5号楼',
      '振华云泉里小区5号楼',
      ' 云泉里 小区 5 号楼 ',
      '振华街道，云泉里小区，5号楼',
      '振华街道办事处云泉社区云泉里小区5号楼',
      '云泉社区居委会云泉里小区5号楼3层',
      '云泉里社区5号楼',
      '山西省 大同市 平城区 振华街道 云泉里小区 ５栋 ２单元 ３０１',
    ])('%s', (text) => {
      expect(index.locate(text)).toEqual({
        community: 'pc.zhenhua.yunquan',
        grid: G.yunquan1,
        matched: '振华街道云泉里小区5号楼',
      });
    });
  });

  describe('never guesses across buildings', () => {
    it.each([
      ['云泉里小区15号楼', G.yunquan2],
      ['云泉里小区15号楼5单元', G.yunquan2],
      ['云泉里小区50号楼', G.yunquan3],
      ['云泉里小区6栋', G.yunquan1],
    ])('%s → its own record', (text, grid) => {
      expect(index.locate(text)?.grid).toBe(grid);
    });

    it.each(['云泉里小区25号楼', '云泉里小区55号楼', '云泉里小区5', '云泉里小区', '云泉里小区a栋'])(
      '%s is unknown (no such building, no compound-level record)',
      (text) => {
        expect(index.resolve(text)).toEqual({ kind: 'unknown' });
      },
    );
  });

  it('a key ending in a number stops only where the number does', () => {
    expect(index.locate('御河苑7')?.grid).toBe(G.yunquan2);
    expect(index.locate('御河苑7号楼3单元')?.grid).toBe(G.yunquan2);
    expect(index.locate('御河苑71')).toBeUndefined();
    expect(index.locate('御河苑71号楼')).toBeUndefined();
    expect(index.locate('御河苑7-1')).toBeUndefined();
  });

  it('an unknown compound is unknown', () => {
    expect(index.resolve('明月小区1号楼')).toEqual({ kind: 'unknown' });
    expect(index.resolve('振华街道明月小区1号楼')).toEqual({ kind: 'unknown' });
  });

  it('nothing to go on is unknown', () => {
    expect(index.resolve('')).toEqual({ kind: 'unknown' });
    expect(index.resolve(' ，。')).toEqual({ kind: 'unknown' });
    expect(index.resolve('山西省大同市平城区')).toEqual({ kind: 'unknown' });
  });

  describe('a compound-level record', () => {
    it('answers for the compound and for buildings without a record of their own', () => {
      expect(index.locate('太阳城小区')?.grid).toBe(G.sun2);
      expect(index.locate('太阳城小区9号楼1单元')?.grid).toBe(G.sun2);
      expect(index.locate('古城街道太阳城社区太阳城小区9号楼')?.grid).toBe(G.sun2);
    });

    it('yields to a building record', () => {
      expect(index.locate('太阳城小区8号楼2单元')).toEqual({
        community: 'pc.gucheng.taiyangcheng',
        grid: G.sun3,
        matched: '古城街道太阳城小区8号楼',
      });
    });

    it('does not answer for another compound whose name starts like it', () => {
      expect(index.resolve('太阳城花园5号楼')).toEqual({ kind: 'unknown' });
    });
  });

  describe('ambiguity', () => {
    it('a key in two streets without a street prefix is ambiguous, with both candidates', () => {
      const resolution = index.resolve('幸福小区3号楼');
      expect(resolution.kind).toBe('ambiguous');
      expect(resolution.kind === 'ambiguous' && resolution.candidates.map((c) => c.grid).sort()).toEqual([
        G.sun1,
        G.xingfu1,
      ]);
      expect(index.locate('幸福小区3号楼')).toBeUndefined();
    });

    it.each([
      ['古城街道幸福小区3号楼', G.sun1],
      ['平城区古城街幸福小区3号楼2单元', G.sun1],
      ['振华街道幸福小区3号楼', G.xingfu1],
      ['幸福社区幸福小区3号楼', G.xingfu1],
    ])('the street or community named first settles it: %s', (text, grid) => {
      expect(index.locate(text)?.grid).toBe(grid);
    });

    it('records that disagree within one street stay ambiguous', () => {
      expect(index.resolve('振华街道明珠花园1号楼').kind).toBe('ambiguous');
      expect(index.resolve('明珠花园1栋101室').kind).toBe('ambiguous');
    });
  });

  describe('door numbers', () => {
    it.each([
      ['魏都大道18号', G.sun4],
      ['平城区魏都大道18号院3号楼', G.sun4],
      ['古城街12号', G.sun4],
      ['古城街道古城街12号', G.sun4],
    ])('%s', (text, grid) => {
      expect(index.locate(text)?.grid).toBe(grid);
    });

    it.each(['魏都大道181号', '魏都大道1号', '魏都大道18-2号', '古城街道12号'])('%s is unknown', (text) => {
      expect(index.locate(text)).toBeUndefined();
    });
  });

  it('keeps a community name that is the compound’s name, so buildings of two communities stay apart', () => {
    const named = new AddressIndex(
      [record('古城街道太阳城社区5号楼', G.sun1), record('振华街道幸福社区5号楼', G.xingfu1)],
      { district: { code: 'pc', name: '平城区' }, streets, communities },
    );
    expect(named.size.keys).toBe(2);
    expect(named.locate('太阳城社区5号楼')?.grid).toBe(G.sun1);
    expect(named.locate('平城区太阳城5栋')?.grid).toBe(G.sun1);
    expect(named.locate('振华街道幸福小区５号楼')?.grid).toBe(G.xingfu1);
    expect(named.resolve('5号楼')).toEqual({ kind: 'unknown' });
    expect(named.resolve('古城街道5号楼')).toEqual({ kind: 'unknown' });
  });

  it('builds from a snapshot; a duplicate and the two pairs that normalize alike share keys', () => {
    const fromSnapshot = AddressIndex.fromSnapshot({
      district: { code: 'pc', name: '平城区' },
      streets,
      communities,
      addresses,
    });
    expect(fromSnapshot.size).toEqual({ records: addresses.length, keys: addresses.length - 3 });
    expect(fromSnapshot.locate('平城区云泉里5号楼')?.grid).toBe(G.yunquan1);
  });
});
