/**
 * The demo district's streets and communities: demo data, not a register.
 *
 * The 18 street names are Pingcheng's real streets since the 2021 reorganisation (public
 * gazetteer listings of 平城区 after 2021-03-02); the source text itself names only 古城街道 and
 * 振华街道. Which community belongs to which street is invented, except:
 * - 古城街道's twelve communities, named as in public listings after the June 2021 adjustment,
 *   keeping 太阳城社区 under the name the source text uses (the listings say it became 云林社区);
 * - 振华街道云泉里社区, named in the source text.
 * Every other community name is invented. The layout (which street lies where) is synthetic.
 *
 * Names are written `syl-la-bles:名称`: the syllables give the code (`taiyangcheng`) and the
 * badge's initials (`TYC`).
 */
export interface StreetPlan {
  /** Pinyin syllables, hyphen-separated: `gu-cheng`. */
  readonly pinyin: string;
  /** Without 街道: 古城. */
  readonly name: string;
  readonly communities: readonly string[];
}

export const STREET_PLANS: readonly StreetPlan[] = [
  {
    pinyin: 'yong-tai',
    name: '永泰',
    communities: [
      'yong-tai-yuan:永泰园',
      'xi-men:西门',
      'hong-qi:红旗',
      'jin-hu:金湖',
      'fu-kang:福康',
      'ping-an-li:平安里',
      'chun-hui:春晖',
      'xin-yuan:新苑',
      'he-ping:和平',
    ],
  },
  {
    pinyin: 'gu-cheng',
    name: '古城',
    communities: [
      'tai-yang-cheng:太阳城',
      'da-shi-zi:大十字',
      'shuai-fu:帅府',
      'ren-he-mei:仁和美',
      'hua-yan-si:华严寺',
      'jiao-chang-jie:教场街',
      'chun-yang-gong:纯阳宫',
      'gu-lou:鼓楼',
      'yan-ta:雁塔',
      'chang-qing:长青',
      'xing-yun:兴云',
      'he-yang:和阳',
    ],
  },
  {
    pinyin: 'xin-wang',
    name: '新旺',
    communities: [
      'xin-wang:新旺',
      'ping-wang:平旺',
      'wang-jia-yuan:旺佳园',
      'dong-sheng:东升',
      'feng-shou:丰收',
      'xing-fu:幸福',
      'jin-sui:金穗',
      'cui-yuan:翠园',
    ],
  },
  {
    pinyin: 'ying-bin',
    name: '迎宾',
    communities: [
      'ying-bin:迎宾',
      'wei-du:魏都',
      'hua-lin:华林',
      'xin-kai:新开',
      'tong-tai:同泰',
      'yu-jing:御景',
      'jin-yuan:锦园',
      'ming-zhu:明珠',
      'jian-hua:建华',
    ],
  },
  {
    pinyin: 'zhen-hua',
    name: '振华',
    communities: [
      'yun-quan-li:云泉里',
      'zhen-hua-nan-jie:振华南街',
      'hong-guang:红光',
      'xiang-yang:向阳',
      'jin-qiao:金桥',
      'yun-zhong:云中',
      'xin-jian:新建',
      'tian-yuan:天源',
      'guang-ming:光明',
      'you-yi:友谊',
    ],
  },
  {
    pinyin: 'qing-yuan',
    name: '清远',
    communities: [
      'qing-yuan-jie:清远街',
      'xi-guan:西关',
      'bei-yuan:北苑',
      'cui-ping:翠屏',
      'song-bai:松柏',
      'he-xie:和谐',
      'kang-le:康乐',
      'wen-chang:文昌',
    ],
  },
  {
    pinyin: 'wu-ding',
    name: '武定',
    communities: [
      'wu-ding:武定',
      'dong-guan:东关',
      'yuan-tong:圆通',
      'an-tai:安泰',
      'chang-an:长安',
      'sheng-shi:盛世',
      'fu-rui:福瑞',
      'jia-he:嘉禾',
    ],
  },
  {
    pinyin: 'yu-he',
    name: '御河',
    communities: [
      'yu-he:御河',
      'yu-hua:御华',
      'he-bin:河滨',
      'he-pan:河畔',
      'long-yuan:龙园',
      'shui-an:水岸',
      'bi-shui:碧水',
      'wang-he:望河',
      'yu-dong:御东',
    ],
  },
  {
    pinyin: 'kai-yuan',
    name: '开源',
    communities: [
      'kai-yuan:开源',
      'xin-yuan:鑫苑',
      'gong-nong:工农',
      'jian-she:建设',
      'sheng-li:胜利',
      'qian-jin:前进',
      'tuan-jie:团结',
      'guang-hua:光华',
    ],
  },
  {
    pinyin: 'da-qing-lu',
    name: '大庆路',
    communities: [
      'da-qing:大庆',
      'hong-xing:红星',
      'dong-feng:东风',
      'kuang-ji:矿机',
      'ji-che:机车',
      'che-zhan:车站',
      'tie-lu:铁路',
      'zhan-dong:站东',
    ],
  },
  {
    pinyin: 'ma-jun-ying',
    name: '马军营',
    communities: [
      'ma-jun-ying:马军营',
      'dong-ma:东马',
      'xi-ma:西马',
      'ying-pan:营盘',
      'an-ju:安居',
      'xin-cun:新村',
    ],
  },
  {
    pinyin: 'wo-hu-wan',
    name: '卧虎湾',
    communities: [
      'wo-hu-wan:卧虎湾',
      'hu-shan:虎山',
      'wan-pan:湾畔',
      'yi-yuan:怡园',
      'tai-he:泰和',
      'heng-an:恒安',
      'li-jing:丽景',
      'xing-long:兴隆',
    ],
  },
  {
    pinyin: 'xin-hua',
    name: '新华',
    communities: [
      'xin-hua:新华',
      'zhen-xing:振兴',
      'wen-hua:文化',
      'yu-cai:育才',
      'shu-yuan:书院',
      'bo-ya:博雅',
      'xin-feng:新风',
      'tao-yuan:桃园',
      'li-yuan:梨园',
    ],
  },
  {
    pinyin: 'lu-yuan',
    name: '鹿苑',
    communities: [
      'lu-yuan:鹿苑',
      'lu-ming:鹿鸣',
      'qing-yun:青云',
      'yong-an:永安',
      'rui-xiang:瑞祥',
      'hong-tu:宏图',
      'jin-xiu:锦绣',
      'xing-he:星河',
    ],
  },
  {
    pinyin: 'bai-deng-shan',
    name: '白登山',
    communities: [
      'bai-deng:白登',
      'ma-pu:马铺',
      'dong-shan:东山',
      'shan-jing:山景',
      'han-qiang:汉墙',
      'deng-gao:登高',
    ],
  },
  {
    pinyin: 'wen-ying-hu',
    name: '文瀛湖',
    communities: [
      'wen-ying:文瀛',
      'hu-bin:湖滨',
      'hu-pan:湖畔',
      'hu-guang:湖光',
      'sheng-tai:生态',
      'yue-hu:悦湖',
      'dong-hu:东湖',
    ],
  },
  {
    pinyin: 'shui-bo-si',
    name: '水泊寺',
    communities: [
      'shui-bo-si:水泊寺',
      'si-qian:寺前',
      'nan-jiao:南郊',
      'tian-yuan:田园',
      'feng-ze:丰泽',
      'dao-xiang:稻香',
    ],
  },
  {
    pinyin: 'xiao-nan-tou',
    name: '小南头',
    communities: [
      'xiao-nan-tou:小南头',
      'xin-nan:新南',
      'nan-yuan:南苑',
      'yang-guang:阳光',
      'kang-ning:康宁',
      'fu-yuan:福源',
    ],
  },
];

/**
 * Where the streets lie: a 6 × 3 lattice over the district, west to east and south to north,
 * by street pinyin code. Synthetic, with 古城 in the middle as the old town is.
 */
export const STREET_LATTICE: readonly (readonly string[])[] = [
  ['xiaonantou', 'shuibosi', 'majunying', 'daqinglu', 'kaiyuan', 'wenyinghu'],
  ['xinwang', 'qingyuan', 'gucheng', 'zhenhua', 'yuhe', 'baidengshan'],
  ['luyuan', 'wohuwan', 'wuding', 'yongtai', 'yingbin', 'xinhua'],
];

/**
 * Residential compounds the source text or the random workload names, placed in a community of
 * the street they belong to (placement invented): they replace that community's second compound.
 */
export const NAMED_COMPOUNDS: ReadonlyMap<string, string> = new Map([
  ['pc.gucheng.dashizi', '古城家园'],
  ['pc.zhenhua.hongguang', '振华北里'],
  ['pc.luyuan.xinghe', '星河湾'],
  ['pc.yingbin.weidu', '凯德世家'],
]);

/** Places the source text names (usable as case locations), by the community they lie in (invented). */
export const NAMED_LANDMARKS: ReadonlyMap<string, readonly string[]> = new Map([
  ['pc.yingbin.yingbin', ['迎宾广场']],
  ['pc.gucheng.huayansi', ['城墙带状公园', '百盛商圈']],
]);

/**
 * Roads for road-number addresses (demo: the names are Datong roads, which street each runs
 * through and every number are invented). Each street gets two, in lattice order.
 */
export const ROADS: readonly string[] = [
  '魏都大道',
  '迎宾街',
  '永泰街',
  '御河西路',
  '新建南路',
  '新建北路',
  '大庆路',
  '云中路',
  '南环路',
  '北环路',
  '西环路',
  '平城街',
  '北都街',
  '振华南街',
  '向阳西街',
  '文兴路',
  '开源街',
  '兴云街',
];
