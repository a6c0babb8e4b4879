import type { CaseCommand } from '../case.commands';
import { decide, evolve } from '../case.decider';
import { CaseError } from '../case.errors';
import type { CaseEvent } from '../case.events';
import {
  dueTimesKey,
  initialState,
  slaAlertKey,
  type CaseState,
  type InHandlingCase,
  type ResolvedCase,
} from '../case.state';
import type {
  ActorRef,
  AttachmentRef,
  CaseLocation,
  Channel,
  ContactMethod,
  DueTime,
  Instant,
  ReferralTarget,
  ResidentContact,
  Satisfaction,
  SlaClock,
} from '../case.types';

/**
 * A realistic, randomized but reproducible workload of case events, for benchmarks, projection
 * and replay tests. Every event comes out of the real decider: the generator plays the people and
 * timers of the district (residents, hotline agents, dispatchers, cadres, offices, supervisors, the
 * SLA watcher), sends their commands through `decide`, and keeps only what it accepts, so every
 * stream is one the application could have written. A refused command is skipped and another one
 * picked.
 *
 * Pure and deterministic: its own seeded PRNG (mulberry32), no Math.random, no clock, no I/O. The
 * same options give the same appends, case ids included.
 *
 * Time: each case's commands are scheduled on one global timeline (minutes to days apart), staff
 * act in working hours, timers fire at their deadlines, and the appends come out in time order, so
 * different cases interleave as they would in a live system. Instants carry the +08:00 offset.
 */

export interface CaseWorkloadOptions {
  /** Same seed, same workload (taken as a 32-bit unsigned integer). */
  readonly seed: number;
  /** Target total number of events: generation stops once it is reached. */
  readonly events: number;
  /** Cases open at the same time; a finished case is replaced by a new one. Default: events / 12. */
  readonly cases?: number;
  /** When the first case arrives. Default: `DEFAULT_WORKLOAD_START`. */
  readonly start?: Instant;
}

/** One decided command's events, appended to the case's stream at `expectedVersion`. */
export interface CaseAppend {
  readonly caseId: string;
  /** The stream's version before this append: 0 for the case's first. */
  readonly expectedVersion: number;
  readonly events: CaseEvent[];
}

export interface CaseWorkload {
  /** In time order, cases interleaved. */
  readonly appends: CaseAppend[];
  readonly totalEvents: number;
}

export const DEFAULT_WORKLOAD_START: Instant = '2026-11-02T08:30:00+08:00';

export function generateCaseWorkload(options: CaseWorkloadOptions): CaseWorkload {
  const target = options.events;
  if (!Number.isInteger(target) || target < 0) {
    throw new RangeError(`events must be a whole number >= 0, got ${target}`);
  }
  if (!Number.isFinite(options.seed)) throw new RangeError(`seed must be a finite number`);
  const pool = options.cases ?? Math.max(1, Math.round(target / 12));
  if (!Number.isInteger(pool) || pool < 1) {
    throw new RangeError(`cases must be a whole number >= 1, got ${pool}`);
  }
  const start = Date.parse(options.start ?? DEFAULT_WORKLOAD_START);
  if (Number.isNaN(start)) throw new RangeError(`start is not an ISO-8601 instant: ${options.start}`);
  return new Workload(options.seed, pool, Math.floor(start / SECOND) * SECOND).run(target);
}

// ---- randomness ---------------------------------------------------------------------------------

/** mulberry32: a tiny 32-bit PRNG, plenty for test data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  float(): number {
    return this.next();
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0 && weight > 0) return value;
    }
    const last = entries.filter(([, weight]) => weight > 0).at(-1);
    if (!last) throw new Error('weighted pick with no positive weight');
    return last[0];
  }

  /** Random version-4 UUID (8-4-4-4-12 hex, version nibble 4, RFC 4122 variant). */
  uuid(): string {
    let hex = '';
    for (let i = 0; i < 4; i++)
      hex += Math.floor(this.next() * 4_294_967_296)
        .toString(16)
        .padStart(8, '0');
    const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return [
      hex.slice(0, 8),
      hex.slice(8, 12),
      `4${hex.slice(13, 16)}`,
      `${variant}${hex.slice(17, 20)}`,
      hex.slice(20, 32),
    ].join('-');
  }
}

// ---- time ---------------------------------------------------------------------------------------

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The district's offset: every instant is written in +08:00. */
const OFFSET = 8 * HOUR;

function instant(ms: number): Instant {
  return `${new Date(ms + OFFSET).toISOString().slice(0, 19)}+08:00`;
}

function localHour(ms: number): number {
  return new Date(ms + OFFSET).getUTCHours() + new Date(ms + OFFSET).getUTCMinutes() / 60;
}

/** Local midnight (+08:00) of the day containing `ms`. */
function localMidnight(ms: number): number {
  return Math.floor((ms + OFFSET) / DAY) * DAY - OFFSET;
}

function isWeekend(ms: number): boolean {
  const day = new Date(ms + OFFSET).getUTCDay();
  return day === 0 || day === 6;
}

/** Calendar days skipping Saturdays and Sundays (holidays are the SLA lib's business, not ours). */
function addBusinessDays(ms: number, days: number): number {
  let at = ms;
  for (let added = 0; added < days;) {
    at += DAY;
    if (!isWeekend(at)) added++;
  }
  return at;
}

/** The deadline as the SLA watcher would state it: whole minutes. */
function deadline(ms: number): number {
  return Math.ceil(ms / MINUTE) * MINUTE;
}

// ---- the district: places, people, units --------------------------------------------------------

interface Community {
  readonly code: string;
  readonly street: Street;
  readonly name: string;
  readonly cadres: readonly ActorRef[];
  readonly gridWorker: ActorRef;
  readonly latitude: number;
  readonly longitude: number;
}

type Street = 'gucheng' | 'zhenhua';
type UnitKind = 'publicService' | 'lawEnforcement' | 'marketSupervision' | 'police';

const cadre = (id: string, orgUnit: string): ActorRef => ({ id, role: 'cadre', orgUnit });

/**
 * 太阳城 and 云泉里 are the communities the demo district names (docs/glossary.md); 迎宾 and 星河 are
 * invented to give each street two.
 */
const COMMUNITIES: readonly Community[] = [
  {
    code: 'pc.gucheng.taiyangcheng',
    street: 'gucheng',
    name: '古城街道太阳城社区',
    cadres: ['cadre-zhang', 'cadre-liu', 'cadre-gao'].map((id) => cadre(id, 'pc.gucheng.taiyangcheng')),
    gridWorker: cadre('grid-taiyangcheng-03', 'pc.gucheng.taiyangcheng'),
    latitude: 40.1412,
    longitude: 117.1128,
  },
  {
    code: 'pc.gucheng.yingbin',
    street: 'gucheng',
    name: '古城街道迎宾社区',
    cadres: ['cadre-he', 'cadre-xu', 'cadre-ma'].map((id) => cadre(id, 'pc.gucheng.yingbin')),
    gridWorker: cadre('grid-yingbin-01', 'pc.gucheng.yingbin'),
    latitude: 40.1386,
    longitude: 117.1195,
  },
  {
    code: 'pc.zhenhua.yunquanli',
    street: 'zhenhua',
    name: '振华街道云泉里社区',
    cadres: ['cadre-zhao', 'cadre-qian', 'cadre-zhou'].map((id) => cadre(id, 'pc.zhenhua.yunquanli')),
    gridWorker: cadre('grid-yunquanli-02', 'pc.zhenhua.yunquanli'),
    latitude: 40.1307,
    longitude: 117.1042,
  },
  {
    code: 'pc.zhenhua.xinghe',
    street: 'zhenhua',
    name: '振华街道星河社区',
    cadres: ['cadre-hu', 'cadre-guo', 'cadre-lin'].map((id) => cadre(id, 'pc.zhenhua.xinghe')),
    gridWorker: cadre('grid-xinghe-04', 'pc.zhenhua.xinghe'),
    latitude: 40.1263,
    longitude: 117.0987,
  },
];

const CADRES_BY_ID = new Map(COMMUNITIES.flatMap((c) => c.cadres).map((a) => [a.id, a]));

interface Unit {
  readonly code: string;
  readonly kind: UnitKind;
  readonly target: ReferralTarget;
  readonly staff: ActorRef;
}

const unit = (street: Street, name: string, kind: UnitKind, target: ReferralTarget): Unit => {
  const code = `pc.${street}.${name}`;
  return {
    code,
    kind,
    target,
    staff: { id: `clerk-${street}-${kind}`, role: 'office_staff', orgUnit: code },
  };
};

/** Street offices and stationed agencies that take referred steps. */
const UNITS: Readonly<Record<Street, readonly Unit[]>> = {
  gucheng: [
    unit('gucheng', 'publicServiceOffice', 'publicService', 'office'),
    unit('gucheng', 'lawEnforcementOffice', 'lawEnforcement', 'office'),
    unit('gucheng', 'marketSupervisionStation', 'marketSupervision', 'agency'),
    unit('gucheng', 'policeStation', 'police', 'agency'),
  ],
  zhenhua: [
    unit('zhenhua', 'publicServiceOffice', 'publicService', 'office'),
    unit('zhenhua', 'lawEnforcementOffice', 'lawEnforcement', 'office'),
    unit('zhenhua', 'marketSupervisionStation', 'marketSupervision', 'agency'),
    unit('zhenhua', 'policeStation', 'police', 'agency'),
  ],
};

const UNIT_STAFF_BY_CODE = new Map(
  [...UNITS.gucheng, ...UNITS.zhenhua].map((u) => [u.code, u.staff] as const),
);

const DISPATCHERS: Readonly<Record<Street, ActorRef>> = {
  gucheng: { id: 'dispatcher-chen', role: 'dispatcher', orgUnit: 'pc.gucheng' },
  zhenhua: { id: 'dispatcher-song', role: 'dispatcher', orgUnit: 'pc.zhenhua' },
};
const DISTRICT_DISPATCHER: ActorRef = { id: 'dispatcher-district', role: 'dispatcher', orgUnit: 'pc' };
const ROUTER: ActorRef = { id: 'router', role: 'system' };
const SLA_WATCHER: ActorRef = { id: 'sla-watcher', role: 'system' };
/** The policy the workload's due times cite, and the grace after a breach before escalation. */
const WORKLOAD_POLICY = 'workload-calendar';
const ESCALATION_GRACE = 4 * 3_600_000;
const SUPERVISORS: Readonly<Record<Street | 'district', ActorRef>> = {
  gucheng: { id: 'supervisor-gucheng', role: 'supervisor', orgUnit: 'pc.gucheng' },
  zhenhua: { id: 'supervisor-zhenhua', role: 'supervisor', orgUnit: 'pc.zhenhua' },
  district: { id: 'supervisor-wu', role: 'supervisor', orgUnit: 'pc' },
};
const HOTLINE_AGENTS: readonly ActorRef[] = ['01', '02', '03', '04', '05', '06'].map((n) => ({
  id: `agent-12345-${n}`,
  role: 'channel',
  orgUnit: 'pc',
}));
const COUNTERS: Readonly<Record<Street, ActorRef>> = {
  gucheng: { id: 'counter-gucheng', role: 'channel', orgUnit: 'pc.gucheng' },
  zhenhua: { id: 'counter-zhenhua', role: 'channel', orgUnit: 'pc.zhenhua' },
};
const THIRD_PARTY: ActorRef = { id: 'gateway-third-party', role: 'channel', orgUnit: 'pc' };

// ---- residents ------------------------------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CODES = '10X98765432';

/** GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits. */
function idCheckChar(first17: string): string {
  const sum = ID_WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(first17.charAt(i)), 0);
  return ID_CHECK_CODES.charAt(sum % 11);
}

/** An 18-character resident ID number with a valid check character and a real birth date. */
function residentIdNumber(birth: string, sequence: number): string {
  const first17 = `110117${birth}${String(sequence).padStart(3, '0')}`;
  return `${first17}${idCheckChar(first17)}`;
}

interface ResidentProfile {
  readonly actor: ActorRef;
  readonly contact: ResidentContact;
  readonly community: Community;
}

const community = (code: string): Community => {
  const found = COMMUNITIES.find((c) => c.code === code);
  if (!found) throw new Error(`unknown community ${code}`);
  return found;
};

const resident = (
  id: string,
  name: string,
  phone: string,
  communityCode: string,
  id18?: readonly [birth: string, sequence: number],
): ResidentProfile => ({
  actor: { id, role: 'resident' },
  contact: { name, phone, ...(id18 ? { idNumber: residentIdNumber(...id18) } : {}) },
  community: community(communityCode),
});

/** The residents who file their own cases through the portal, app and mini program. */
const RESIDENTS: readonly ResidentProfile[] = [
  resident('resident-wangfang', '王芳', '13800001234', 'pc.gucheng.taiyangcheng', ['19580314', 26]),
  resident('resident-lijianguo', '李建国', '13800005678', 'pc.gucheng.taiyangcheng', ['19621107', 13]),
  resident('resident-zhangxiulan', '张秀兰', '13900001234', 'pc.gucheng.yingbin', ['19490101', 42]),
  resident('resident-chenming', '陈明', '13800002468', 'pc.zhenhua.yunquanli'),
  resident('resident-liuhaiyan', '刘海燕', '18600001357', 'pc.zhenhua.yunquanli', ['19851230', 88]),
  resident('resident-zhaodehua', '赵德华', '13800009876', 'pc.zhenhua.xinghe', ['19730520', 5]),
];

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '孙', '马'];
const GIVEN_NAMES = [
  '芳',
  '秀兰',
  '建国',
  '桂英',
  '志强',
  '丽',
  '明',
  '海燕',
  '德华',
  '淑珍',
  '国庆',
  '小红',
];
const PHONE_PREFIXES = ['1380000', '1390000', '1860000', '1500000', '1370000'];

// ---- what residents ask about ---------------------------------------------------------------------

interface Topic {
  readonly title: string;
  /** `{b}` and `{u}` are replaced by a building and an entrance number. */
  readonly description: string;
  readonly category: string;
  readonly matterCode: string;
  readonly referTo?: UnitKind;
  readonly request: string;
  readonly outcome: string;
  readonly steps: readonly string[];
  readonly summary: string;
  /** The resolution time limit, in business days. */
  readonly limitDays: number;
}

const TOPICS: readonly Topic[] = [
  {
    title: '电梯停运三天',
    description: '{b}号楼电梯停运三天，老人无法下楼。',
    category: '物业管理',
    matterCode: 'PC-WYGL-0101',
    referTo: 'publicService',
    request: '请公共服务办协调电梯维保单位',
    outcome: '维保单位已更换控制板，电梯恢复运行',
    steps: ['联系物业，维修工已到场', '维保单位确认需更换控制板，配件已订购'],
    summary: '电梯已恢复运行，物业承诺加强日常巡检',
    limitDays: 5,
  },
  {
    title: '楼道灯不亮',
    description: '{b}号楼{u}单元楼道灯坏了一周，老人夜间出行不便。',
    category: '公共设施维修',
    matterCode: 'PC-GGFW-0107',
    request: '请公共服务办安排更换楼道照明',
    outcome: '已更换声控灯 6 盏',
    steps: ['到现场查看，{u}单元 3 至 6 层灯具损坏', '已通知物业电工更换灯具'],
    summary: '楼道灯已全部更换',
    limitDays: 3,
  },
  {
    title: '底商酒吧夜间噪音扰民',
    description: '小区底商酒吧每晚营业到凌晨两点，音响声音很大，{b}号楼居民无法休息。',
    category: '环境噪声',
    matterCode: 'PC-ZHZF-0203',
    referTo: 'lawEnforcement',
    request: '请综合执法办夜间检测噪音并依法处理',
    outcome: '执法队夜间检测超标，已责令整改并限时营业',
    steps: ['晚间到现场核实，噪音明显', '约谈酒吧经营者，要求降低音量'],
    summary: '酒吧已加装隔音设施并调整营业时间',
    limitDays: 7,
  },
  {
    title: '早市占用消防通道',
    description: '小区东门早市摊贩占用消防通道，车辆无法通行。',
    category: '市容环境',
    matterCode: 'PC-ZHZF-0115',
    referTo: 'lawEnforcement',
    request: '请综合执法办清理占道摊位',
    outcome: '已清理占道摊位并设置隔离桩',
    steps: ['早上六点到现场查看，约 20 个摊位占道', '联系市场管理方，划定临时摆放区域'],
    summary: '消防通道已清理，摊贩迁入指定区域',
    limitDays: 5,
  },
  {
    title: '社区超市售卖过期食品',
    description: '在小区门口超市买到过期两周的牛奶，要求处理。',
    category: '食品安全',
    matterCode: 'PC-SCJG-0301',
    referTo: 'marketSupervision',
    request: '请市场监管所检查超市在售食品',
    outcome: '市场监管所已下架过期食品并立案调查',
    steps: ['联系居民取得购物小票照片', '到超市核实，货架上仍有同批次商品'],
    summary: '过期食品已下架，超市已向居民退赔',
    limitDays: 5,
  },
  {
    title: '供暖温度不达标',
    description: '{b}号楼{u}单元室温只有 14 度，供暖不达标。',
    category: '供暖',
    matterCode: 'PC-GGFW-0212',
    referTo: 'publicService',
    request: '请公共服务办协调供热公司排查管线',
    outcome: '供热公司已排气并调整阀门，室温恢复到 20 度',
    steps: ['入户测温，室温 14.5 度', '联系供热公司，约定上门排查'],
    summary: '室温已达标，供热公司加强巡查',
    limitDays: 3,
  },
  {
    title: '垃圾清运不及时',
    description: '{b}号楼旁垃圾桶满溢三天无人清运，气味很大。',
    category: '环境卫生',
    matterCode: 'PC-GGGL-0104',
    referTo: 'publicService',
    request: '请公共服务办督促环卫公司清运',
    outcome: '环卫公司已清运并增加清运频次',
    steps: ['到现场拍照确认垃圾满溢', '联系环卫公司当日清运'],
    summary: '垃圾已清运，改为每日两次清运',
    limitDays: 2,
  },
  {
    title: '楼上漏水导致天花板渗水',
    description: '楼上住户卫生间漏水，{b}号楼{u}单元天花板渗水发霉。',
    category: '邻里纠纷',
    matterCode: 'PC-TJ-0002',
    request: '请公共服务办协助联系房屋产权单位',
    outcome: '产权单位已联系楼上住户维修防水',
    steps: ['上门查看渗水情况并拍照', '组织楼上楼下两户协商维修'],
    summary: '楼上住户已重做防水，渗水停止',
    limitDays: 10,
  },
  {
    title: '公共绿地私搭彩钢房',
    description: '{b}号楼一楼住户在公共绿地私搭彩钢房，占用约 20 平方米。',
    category: '违法建设',
    matterCode: 'PC-ZHZF-0301',
    referTo: 'lawEnforcement',
    request: '请综合执法办认定违法建设并依法拆除',
    outcome: '已下达限期拆除通知书，违建已拆除',
    steps: ['现场测量并拍照取证', '向住户宣传政策，劝其自行拆除'],
    summary: '违建已拆除，绿地恢复',
    limitDays: 15,
  },
  {
    title: '高空抛物隐患',
    description: '{b}号楼有人从窗户往下扔垃圾，险些砸到行人。',
    category: '公共安全',
    matterCode: 'PC-GGAQ-0105',
    referTo: 'police',
    request: '请派出所协助调取监控排查抛物住户',
    outcome: '派出所已找到抛物住户并进行批评教育',
    steps: ['在楼下张贴禁止高空抛物提示', '逐户走访排查'],
    summary: '已找到抛物住户并签订承诺书',
    limitDays: 5,
  },
  {
    title: '僵尸车长期占用车位',
    description: '小区内一辆无牌面包车停放半年以上，占用公共车位。',
    category: '停车管理',
    matterCode: 'PC-GGAQ-0210',
    referTo: 'police',
    request: '请派出所核查车辆信息并联系车主',
    outcome: '已联系车主，车辆已挪走',
    steps: ['张贴挪车通知', '拍照记录车辆位置'],
    summary: '僵尸车已清理',
    limitDays: 10,
  },
  {
    title: '化粪池外溢',
    description: '{b}号楼旁化粪池外溢，污水流到路面。',
    category: '市政设施',
    matterCode: 'PC-GGFW-0115',
    referTo: 'publicService',
    request: '请公共服务办调派清掏车辆',
    outcome: '清掏车已完成清掏，管道疏通',
    steps: ['到现场设置警示标志', '联系清掏公司预约车辆'],
    summary: '化粪池已清掏，路面已冲洗',
    limitDays: 2,
  },
  {
    title: '咨询高龄津贴办理',
    description: '父亲今年 80 岁，想申请高龄津贴，不知道需要哪些材料。',
    category: '社会保障',
    matterCode: 'PC-GGFW-0401',
    request: '请公共服务办确认申请材料清单',
    outcome: '已出具材料清单并预约受理时间',
    steps: ['电话告知申请条件和材料'],
    summary: '已指导居民准备材料并完成申请',
    limitDays: 5,
  },
  {
    title: '水果店缺斤短两',
    description: '小区门口水果店称重不准，买的 5 斤苹果回家称只有 4 斤。',
    category: '市场监管',
    matterCode: 'PC-SCJG-0112',
    referTo: 'marketSupervision',
    request: '请市场监管所检定电子秤',
    outcome: '电子秤检定不合格，已没收并处罚',
    steps: ['联系居民了解购物时间'],
    summary: '商户已退还差价，电子秤已更换',
    limitDays: 5,
  },
];

const ADDRESSES = ['迎宾广场', '太阳城小区', '云泉里小区', '星河湾', '古城家园', '振华北里'];
const FIRST_CONTACT: readonly (readonly [ContactMethod, string])[] = [
  ['phone', '已电话联系居民，约定明早上门查看'],
  ['phone', '电话联系居民，了解具体情况'],
  ['visit', '上门走访，居民在家，现场查看'],
  ['message', '短信告知已受理，稍后电话联系'],
  ['in_person', '居民到社区服务站当面沟通'],
];
const LATER_CONTACT: readonly (readonly [ContactMethod, string])[] = [
  ['phone', '电话告知居民办理进度'],
  ['visit', '再次上门，与居民确认维修方案'],
  ['message', '微信告知居民维修时间'],
];
const LATER_STEPS = [
  '再次到现场查看进展',
  '与物业沟通后续安排',
  '整理办理材料，准备办结',
  '向居民说明处理方案',
];
const RETURN_REASONS = [
  '地址不属于本社区，请改派',
  '诉求属于物业合同纠纷，不在本社区职责范围',
  '该楼栋已划归邻近社区管理',
];
const SUSPEND_REASONS = ['居民外出，下周回来', '等待居民提供产权证明', '居民要求暂缓处理'];
const RESUME_REASONS = ['居民已回家', '居民已提供材料', '居民同意继续办理'];
const REVEAL_REASONS = ['回电前核对居民手机号', '居民留言要求回电', '电话回访需完整号码'];
const HAND_OVER_REASONS = ['轮值结束，交给本周值班干部', '该事项由分管委员负责', '本人外出培训一周'];
const REFUSE_REASONS = ['本周外出培训，无法接手', '不熟悉该楼栋情况，建议另派'];
const WITHDRAW_HAND_OVER_REASONS = ['培训取消，本人继续办理', '居民要求由原经办人继续跟进'];
/** HAND_OVER_EXPIRES_AFTER_HOURS at its default. */
const HAND_OVER_EXPIRES_AFTER = 48 * HOUR;
const REOPEN_REASONS = ['回访发现问题未解决', '居民再次反映同一问题', '督办检查发现办理不到位'];
const WITHDRAW_REASONS = ['问题已自行解决', '物业已自行修好', '不需要了，谢谢'];
const SUPERVISE_INSTRUCTIONS = ['三日内办结并回复居民', '请尽快联系居民，说明进展', '超期未办结，请说明原因'];
const EXTENSION_REASONS = ['需等待维修配件', '涉及多部门协调，需延长办理时间', '需等待产权单位答复'];
const UNREASONABLE_REASONS = ['诉求超出政策范围', '诉求要求违反物业服务合同约定', '重复诉求，已多次答复'];
const SUPPLEMENTS = [
  '补充：问题仍在持续',
  '补充现场照片',
  '补充：晚上情况更严重',
  '补充联系方式：白天可打电话',
];
const FEEDBACK_COMMENTS: Readonly<Record<Satisfaction, readonly string[]>> = {
  satisfied: ['处理很及时，谢谢', '干部很负责'],
  basically_satisfied: ['问题基本解决，希望加强巡查', '处理有点慢'],
  unsatisfied: ['问题还是没有解决', '没有人上门查看'],
};

// ---- the cases in flight ------------------------------------------------------------------------

/** A command decided on, waiting for its time; a submission is built when its time comes. */
type Pending =
  | { readonly kind: 'submit'; readonly at: number }
  | { readonly kind: 'command'; readonly command: CaseCommand };

interface LiveCase {
  readonly id: string;
  readonly topic: Topic;
  readonly community: Community;
  readonly channel: Channel;
  readonly submitter: ActorRef;
  readonly residentSubmitted: boolean;
  /** What this case will turn out to be, drawn on arrival. */
  readonly fate: { readonly withdraw: boolean; readonly duplicate: boolean; readonly unreasonable: boolean };
  state: CaseState;
  version: number;
  lastAt: number;
  submittedAt: number;
  responseDue: number;
  resolutionDue: number;
  /** Handling steps and contacts since acceptance or the last reopen. */
  workDone: number;
  /** Handling steps recorded so far (the topic's own steps come first, in order). */
  steps: number;
  handOvers: number;
  suspensions: number;
  supplements: number;
  /** Times the owner asked for the resident's full phone number (at most once, before calling). */
  reveals: number;
  supervisions: number;
  resolvedAt: number;
  /** The submission named a catalogue matter, so the router can route by it. */
  matterCode: boolean;
  /** The current resolution round's feedback, once recorded. */
  feedback: { readonly satisfaction: Satisfaction; readonly solved: boolean } | null;
  /** Due dates whose extension was already considered, by `slaAlertKey`. */
  readonly extensionConsidered: Set<string>;
  rejectedInARow: number;
  pending: Pending;
}

interface QueueEntry {
  readonly at: number;
  readonly seq: number;
  readonly live: LiveCase;
}

/** Min-heap on (at, seq): the next command due, ties in scheduling order. */
class Timeline {
  private readonly heap: QueueEntry[] = [];
  private seq = 0;

  push(at: number, live: LiveCase): void {
    const heap = this.heap;
    heap.push({ at, seq: this.seq++, live });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): QueueEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && this.less(left, smallest)) smallest = left;
      if (right < heap.length && this.less(right, smallest)) smallest = right;
      if (smallest === i) return top;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i];
    const b = this.heap[j];
    if (!a || !b) return false;
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    if (!a || !b) return;
    this.heap[i] = b;
    this.heap[j] = a;
  }
}

type Plan = { readonly at: number; readonly command: (at: Instant) => CaseCommand } | null;

const UNRESOLVED_STATUSES: ReadonlySet<string> = new Set([
  'submitted',
  'dispatched',
  'returned',
  'in_handling',
]);
const OPEN_STATUSES: ReadonlySet<string> = new Set([...UNRESOLVED_STATUSES, 'resolved']);
/** A case that keeps being refused leaves the pool rather than loop. */
const MAX_REJECTIONS_IN_A_ROW = 8;

class Workload {
  private readonly rng: Rng;
  /** UUIDs (case, referral and attachment ids) come from a second stream derived from the seed. */
  private readonly ids: Rng;
  private readonly timeline = new Timeline();
  private readonly appends: CaseAppend[] = [];
  private readonly caseNumbers = new Map<string, number>();
  /** Every case that exists, by topic, newest last: candidates for a duplicate's merge. */
  private readonly byTopic = new Map<Topic, LiveCase[]>();
  private readonly usedIds = new Set<string>();
  private totalEvents = 0;

  constructor(
    seed: number,
    private readonly pool: number,
    private readonly start: number,
  ) {
    this.rng = new Rng(seed);
    this.ids = new Rng(Math.imul(seed >>> 0, 0x9e3779b1) ^ 0x5bd1e995);
  }

  run(target: number): CaseWorkload {
    if (target === 0) return { appends: [], totalEvents: 0 };
    // The first cases arrive over the first hours, as a morning's intake would.
    let arrival = this.start;
    for (let i = 0; i < this.pool; i++) {
      this.arrive(arrival);
      arrival += this.rng.int(1, 8) * MINUTE + this.rng.int(0, 59) * SECOND;
    }
    while (this.totalEvents < target) {
      const entry = this.timeline.pop();
      if (!entry) break;
      this.step(entry.live, entry.at);
    }
    return { appends: this.appends, totalEvents: this.totalEvents };
  }

  // ---- the loop -------------------------------------------------------------------------------

  private step(live: LiveCase, at: number): void {
    const pending = live.pending;
    const command = pending.kind === 'submit' ? this.submission(live, pending.at) : pending.command;
    let events: CaseEvent[];
    try {
      events = decide(command, live.state);
    } catch (error) {
      if (!(error instanceof CaseError)) throw error;
      events = [];
    }
    live.lastAt = Math.max(live.lastAt, at);
    if (events.length === 0) {
      // Refused (or a timer with nothing left to do): pick another command.
      live.rejectedInARow++;
      if (live.rejectedInARow >= MAX_REJECTIONS_IN_A_ROW) return this.finish(live);
    } else {
      live.rejectedInARow = 0;
      this.appends.push({ caseId: live.id, expectedVersion: live.version, events });
      for (const event of events) {
        live.state = evolve(live.state, event);
        this.observe(live, event);
      }
      live.version += events.length;
      this.totalEvents += events.length;
      if (command.type === 'SubmitCase') this.casesOfTopic(live.topic).push(live);
    }
    this.schedule(live);
  }

  private schedule(live: LiveCase): void {
    const plan = this.withTimers(live, this.plan(live));
    if (plan === null) return this.finish(live);
    const at = Math.max(plan.at, live.lastAt + MINUTE);
    live.pending = { kind: 'command', command: plan.command(instant(at)) };
    this.timeline.push(at, live);
  }

  /** The case leaves the pool; a new one arrives soon after to keep the pool full. */
  private finish(live: LiveCase): void {
    this.arrive(live.lastAt + this.rng.int(1, 30) * MINUTE + this.rng.int(0, 59) * SECOND);
  }

  /** Keeps the SLA clocks in step with what the case went through. */
  private observe(live: LiveCase, event: CaseEvent): void {
    switch (event.type) {
      case 'case.submitted':
        live.matterCode = event.matterCode !== undefined;
        return;
      case 'case.accepted':
        if (!event.viaHandOver) live.workDone = 0;
        return;
      case 'case.reopened':
        live.workDone = 0;
        return;
      case 'case.resident_contacted':
        live.workDone++;
        return;
      case 'case.handling_step_recorded':
        live.workDone++;
        live.steps++;
        return;
      case 'case.handed_over':
        live.handOvers++;
        return;
      case 'case.suspended':
        live.suspensions++;
        return;
      case 'case.resident_info_supplemented':
        live.supplements++;
        return;
      case 'case.contact_revealed':
        live.reveals++;
        return;
      case 'case.supervised':
        live.supervisions++;
        return;
      case 'case.resolved':
        live.resolvedAt = Date.parse(event.at);
        live.feedback = null;
        return;
      case 'case.feedback_recorded':
        live.feedback = { satisfaction: event.satisfaction, solved: event.solved };
        return;
      case 'case.resumed': {
        // The clocks pause while the case waits for the resident.
        const paused = Date.parse(event.at) - Date.parse(event.suspendedAt);
        live.resolutionDue = deadline(live.resolutionDue + paused);
        if (!this.contacted(live)) live.responseDue = deadline(live.responseDue + paused);
        return;
      }
      case 'case.extension_granted':
        if (event.clock === 'resolution') {
          live.resolutionDue = addBusinessDays(live.resolutionDue, event.extraBusinessDays);
        } else {
          live.responseDue = addBusinessDays(live.responseDue, event.extraBusinessDays);
        }
        return;
      case 'case.dispatched':
      case 'case.routed':
      case 'case.returned':
      case 'case.step_referred':
      case 'case.referral_completed':
      case 'case.closed':
      case 'case.withdrawn':
      case 'case.merged_into':
      case 'case.ruled_unreasonable':
      case 'case.sla_warning_raised':
      case 'case.sla_breached':
      case 'case.due_times_set':
      case 'case.feedback_window_expired':
      case 'case.hand_over_withdrawn':
      case 'case.hand_over_expired':
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  // ---- arrivals -------------------------------------------------------------------------------

  private arrive(at: number): void {
    const rng = this.rng;
    const channel = rng.weighted<Channel>([
      ['app', 22],
      ['mini_program', 14],
      ['portal', 8],
      ['hotline', 28],
      ['walk_in', 8],
      ['third_party', 6],
      ['grid_patrol', 8],
      ['filed_on_behalf', 6],
    ]);
    const residentSubmitted = channel === 'app' || channel === 'mini_program' || channel === 'portal';
    const resident = residentSubmitted ? rng.pick(RESIDENTS) : undefined;
    const home = resident?.community ?? rng.pick(COMMUNITIES);
    const submitter: ActorRef = resident
      ? resident.actor
      : channel === 'walk_in'
        ? COUNTERS[home.street]
        : channel === 'third_party'
          ? THIRD_PARTY
          : channel === 'grid_patrol'
            ? home.gridWorker
            : channel === 'filed_on_behalf'
              ? rng.pick(home.cadres)
              : rng.pick(HOTLINE_AGENTS);
    // The hotline and third-party portals take requests round the clock; residents mostly file
    // by day and evening; counters, grid workers and cadres in office hours.
    const arrival = resident
      ? this.within(at, 7, 23.5)
      : channel === 'hotline' || channel === 'third_party'
        ? at
        : this.staffTime(at);
    const live: LiveCase = {
      id: this.caseId(),
      channel,
      topic: rng.pick(TOPICS),
      community: home,
      submitter,
      residentSubmitted,
      fate: { withdraw: rng.chance(0.035), duplicate: rng.chance(0.04), unreasonable: rng.chance(0.03) },
      state: initialState,
      version: 0,
      lastAt: arrival,
      submittedAt: 0,
      responseDue: 0,
      resolutionDue: 0,
      workDone: 0,
      steps: 0,
      handOvers: 0,
      suspensions: 0,
      supplements: 0,
      reveals: 0,
      supervisions: 0,
      resolvedAt: arrival,
      matterCode: false,
      feedback: null,
      extensionConsidered: new Set(),
      rejectedInARow: 0,
      pending: { kind: 'submit', at: arrival },
    };
    this.timeline.push(arrival, live);
  }

  private caseId(): string {
    for (;;) {
      const id = this.ids.uuid();
      if (!this.usedIds.has(id)) {
        this.usedIds.add(id);
        return id;
      }
    }
  }

  /** Built when it is due, so case numbers follow the order of arrival within a day. */
  private submission(live: LiveCase, at: number): CaseCommand {
    const rng = this.rng;
    const topic = live.topic;
    const building = rng.int(1, 24);
    const entrance = rng.int(1, 4);
    const fill = (text: string) =>
      text.replaceAll('{b}', String(building)).replaceAll('{u}', String(entrance));
    const day = instant(at).slice(0, 10).replaceAll('-', '');
    const number = (this.caseNumbers.get(day) ?? 0) + 1;
    this.caseNumbers.set(day, number);
    live.submittedAt = at;
    live.responseDue = deadline(addBusinessDays(at, 1));
    live.resolutionDue = deadline(addBusinessDays(at, topic.limitDays));
    const resident = RESIDENTS.find((r) => r.actor.id === live.submitter.id);
    const withMatter = rng.chance(0.55);
    const location: CaseLocation = {
      address: `${live.community.name}${rng.pick(ADDRESSES)}${building}号楼${entrance}单元`,
      communityCode: live.community.code,
      ...(rng.chance(0.5) ? { gridCode: `${live.community.code}.g0${rng.int(1, 6)}` } : {}),
      ...(rng.chance(0.6)
        ? {
            latitude: round6(live.community.latitude + (rng.float() - 0.5) * 0.004),
            longitude: round6(live.community.longitude + (rng.float() - 0.5) * 0.004),
          }
        : {}),
    };
    return {
      type: 'SubmitCase',
      caseId: live.id,
      actor: live.submitter,
      at: instant(at),
      caseNumber: `PC-${day}-${String(number).padStart(6, '0')}`,
      channel: live.channel,
      resident: resident?.contact ?? this.caller(),
      location,
      ...(withMatter ? { matterCode: topic.matterCode } : {}),
      ...(!withMatter || rng.chance(0.3) ? { category: topic.category } : {}),
      title: topic.title,
      description: fill(topic.description),
      attachments: this.photos(rng.chance(0.35) ? rng.int(1, 3) : 0),
    };
  }

  /** A caller's contact as the hotline agent or the counter takes it down. */
  private caller(): ResidentContact {
    const rng = this.rng;
    const phone = `${rng.pick(PHONE_PREFIXES)}${String(rng.int(0, 9999)).padStart(4, '0')}`;
    const name = `${rng.pick(SURNAMES)}${rng.pick(GIVEN_NAMES)}`;
    if (!rng.chance(0.3)) return { name, phone };
    const year = rng.int(1940, 2004);
    const month = rng.int(1, 12);
    const dayOfMonth = rng.int(1, 28);
    const birth = `${year}${String(month).padStart(2, '0')}${String(dayOfMonth).padStart(2, '0')}`;
    return { name, phone, idNumber: residentIdNumber(birth, rng.int(1, 999)) };
  }

  private photos(count: number): AttachmentRef[] {
    return Array.from({ length: count }, (_, i) => ({
      ref: `att-${this.ids.uuid()}`,
      name: `photo-${i + 1}.jpg`,
      contentType: 'image/jpeg',
    }));
  }

  private casesOfTopic(topic: Topic): LiveCase[] {
    let list = this.byTopic.get(topic);
    if (!list) {
      list = [];
      this.byTopic.set(topic, list);
    }
    return list;
  }

  // ---- what happens next ----------------------------------------------------------------------

  /**
   * The next thing a person does on this case, and when; null when the case is done. Chosen from
   * the state, so it is normally accepted; when it is not, the loop simply asks again.
   */
  private plan(live: LiveCase): Plan {
    const rng = this.rng;
    const state = live.state;
    const now = live.lastAt;
    switch (state.status) {
      case 'none':
        // Only reached when the submission itself was refused: let the case go.
        return null;
      case 'submitted':
        if (live.fate.duplicate) {
          const merge = this.mergePlan(live, now);
          if (merge) return merge;
        }
        return this.routinePlan(live, now) ?? this.dispatchPlan(live, now, false);
      case 'returned':
        return this.routinePlan(live, now) ?? this.dispatchPlan(live, now, true);
      case 'dispatched': {
        const routine = this.routinePlan(live, now);
        if (routine) return routine;
        const designated = this.cadreById(state.designatedOwnerId);
        const wrongCommunity = designated.orgUnit !== live.community.code;
        const choice = rng.weighted([
          ['accept', wrongCommunity ? 20 : 84],
          ['return', wrongCommunity ? 75 : 4],
          ['reassign', 4],
        ] as const);
        if (choice === 'reassign') return this.dispatchPlan(live, now, true);
        const at = this.staffTime(now + this.delay(10, 240));
        if (choice === 'accept')
          return { at, command: (a) => ({ type: 'AcceptCase', caseId: live.id, actor: designated, at: a }) };
        return {
          at,
          command: (a) => ({
            type: 'ReturnCase',
            caseId: live.id,
            actor: designated,
            at: a,
            reason: rng.pick(RETURN_REASONS),
          }),
        };
      }
      case 'in_handling':
        return this.handlingPlan(live, state, now);
      case 'resolved':
        return this.resolvedPlan(live, state, now);
      case 'closed':
        // Most closed cases stay closed; now and then the resident comes back.
        if (!rng.chance(0.05)) return null;
        return {
          at: this.staffTime(now + rng.int(2, 20) * DAY + this.delay(0, 480)),
          command: (a) => ({
            type: 'ReopenCase',
            caseId: live.id,
            actor: this.supervisor(live),
            at: a,
            reason: rng.pick(REOPEN_REASONS),
          }),
        };
      case 'withdrawn':
      case 'merged':
        return null;
      default: {
        const _exhaustive: never = state;
        return _exhaustive;
      }
    }
  }

  /**
   * What may come up in an open case before it is resolved, or null: the resident withdraws or
   * adds information, a supervisor steps in after a breach, a demand is ruled unreasonable.
   */
  private routinePlan(live: LiveCase, now: number): Plan {
    const rng = this.rng;
    if (live.fate.withdraw && rng.chance(0.35)) {
      return {
        at: this.residentTime(live, now + this.delay(30, 2 * 24 * 60)),
        command: (a) => ({
          type: 'WithdrawCase',
          caseId: live.id,
          actor: live.submitter,
          at: a,
          reason: rng.pick(WITHDRAW_REASONS),
        }),
      };
    }
    if (live.supplements < 2 && rng.chance(0.04)) {
      const photos = this.photos(rng.chance(0.4) ? 1 : 0);
      const note = photos.length > 0 && rng.chance(0.5) ? '' : rng.pick(SUPPLEMENTS);
      return {
        at: this.residentTime(live, now + this.delay(20, 24 * 60)),
        command: (a) => ({
          type: 'SupplementResidentInfo',
          caseId: live.id,
          actor: live.submitter,
          at: a,
          note,
          attachments: photos,
          maxSupplements: 20,
        }),
      };
    }
    const breached = live.state.status !== 'none' && live.state.slaBreaches.size > live.supervisions;
    if (live.supervisions < 3 && (breached ? rng.chance(0.5) : rng.chance(0.01))) {
      return {
        at: this.staffTime(now + this.delay(30, 600)),
        command: (a) => ({
          type: 'SuperviseCase',
          caseId: live.id,
          actor: this.supervisor(live),
          at: a,
          instruction: rng.pick(SUPERVISE_INSTRUCTIONS),
        }),
      };
    }
    const state = live.state;
    if (
      live.fate.unreasonable &&
      state.status !== 'none' &&
      !state.ruledUnreasonable &&
      this.contacted(live)
    ) {
      return {
        at: this.staffTime(now + this.delay(60, 24 * 60)),
        command: (a) => ({
          type: 'RuleUnreasonable',
          caseId: live.id,
          actor: this.supervisor(live),
          at: a,
          reason: rng.pick(UNREASONABLE_REASONS),
        }),
      };
    }
    return null;
  }

  private dispatchPlan(live: LiveCase, now: number, again: boolean): Plan {
    const rng = this.rng;
    // Routing gets the community right most of the time; a returned case goes to the right one.
    const right = again || rng.chance(0.88);
    const community = right ? live.community : rng.pick(COMMUNITIES.filter((c) => c !== live.community));
    const owner = rng.pick(community.cadres);
    const automatic = !again && rng.chance(0.45);
    const actor = automatic
      ? ROUTER
      : rng.chance(0.8)
        ? DISPATCHERS[live.community.street]
        : DISTRICT_DISPATCHER;
    const at = automatic ? now + this.delay(1, 10) : this.staffTime(now + this.delay(5, 120));
    const directoryVersion = 12 + Math.floor((at - this.start) / (7 * DAY));
    if (automatic) {
      // Routing (the system): mostly the located grid's cadre; now and then nobody is present and
      // the case waits in the community's queue for a dispatcher (it stays submitted).
      const queued = rng.chance(0.1);
      const located = {
        by: 'grid_code' as const,
        community: live.community.code,
        grid: `${live.community.code}.g01`,
      };
      return {
        at,
        command: (a) => ({
          type: 'RouteCase',
          caseId: live.id,
          actor,
          at: a,
          target: queued
            ? { kind: 'queue', orgUnit: live.community.code }
            : { kind: 'cadre', cadreId: owner.id, orgUnit: owner.orgUnit ?? community.code },
          rule: queued ? 'community_queue' : 'grid_cadre',
          directoryVersion,
          catalogueVersion: 3,
          located,
          passed: queued ? [`on duty in ${live.community.code}: none`] : [],
        }),
      };
    }
    return {
      at,
      command: (a) => ({
        type: 'DispatchCase',
        caseId: live.id,
        actor,
        at: a,
        ownerId: owner.id,
        ownerOrgUnit: owner.orgUnit ?? community.code,
        rule: 'manual',
        directoryVersion,
        ...(again ? { note: '退单后改派至属地社区' } : {}),
      }),
    };
  }

  /** A duplicate is merged into an earlier case about the same thing (or any earlier case). */
  private mergePlan(live: LiveCase, now: number): Plan {
    const rng = this.rng;
    const earlier = this.casesOfTopic(live.topic).filter((c) => c !== live && c.state.status !== 'none');
    const open = earlier.filter((c) => OPEN_STATUSES.has(c.state.status));
    const candidates = (open.length > 0 ? open : earlier).slice(-10);
    const into = candidates.length > 0 ? rng.pick(candidates) : undefined;
    if (!into || into.state.status === 'none') return null;
    const intoNumber = into.state.caseNumber;
    return {
      at: this.staffTime(now + this.delay(10, 180)),
      command: (a) => ({
        type: 'MergeCase',
        caseId: live.id,
        actor: DISPATCHERS[live.community.street],
        at: a,
        intoCaseId: into.id,
        reason: `与 ${intoNumber} 为同一诉求，合并办理`,
      }),
    };
  }

  private handlingPlan(live: LiveCase, state: InHandlingCase, now: number): Plan {
    const rng = this.rng;
    const owner = this.cadreById(state.ownerId);
    const base = { caseId: live.id, actor: owner };
    const soon = (minMinutes: number, maxMinutes: number) =>
      this.staffTime(now + this.delay(minMinutes, maxMinutes));

    const offer = state.pendingHandOver;
    if (offer) {
      const offered = this.cadreById(offer.toCadreId);
      const at = soon(30, 20 * 60);
      const lapses = offer.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(offer.expiresAt);
      const withdrawAt = soon(10, 4 * 60);
      const roll = rng.float();
      // Now and then nobody answers in time (or the answer would come too late): the offer lapses
      // and the SLA watcher records it. Now and then the owner takes it back first.
      if (
        lapses !== Number.POSITIVE_INFINITY &&
        (roll < 0.05 || at >= lapses || (roll < 0.1 && withdrawAt >= lapses))
      ) {
        return {
          at: Math.max(lapses, now + MINUTE),
          command: (a) => ({ type: 'ExpireHandOver', caseId: live.id, actor: SLA_WATCHER, at: a }),
        };
      }
      if (roll < 0.1) {
        return {
          at: withdrawAt,
          command: (a) => ({
            ...base,
            type: 'WithdrawHandOver',
            at: a,
            reason: rng.pick(WITHDRAW_HAND_OVER_REASONS),
          }),
        };
      }
      if (rng.chance(0.7))
        return { at, command: (a) => ({ type: 'AcceptCase', caseId: live.id, actor: offered, at: a }) };
      return {
        at,
        command: (a) => ({
          type: 'ReturnCase',
          caseId: live.id,
          actor: offered,
          at: a,
          reason: rng.pick(REFUSE_REASONS),
        }),
      };
    }
    if (state.suspended) {
      if (rng.chance(0.15)) return this.routinePlan(live, now) ?? this.stepPlan(live, owner, now);
      return {
        at: this.staffTime(now + rng.int(1, 6) * DAY + this.delay(0, 300)),
        command: (a) => ({ ...base, type: 'ResumeCase', at: a, reason: rng.pick(RESUME_REASONS) }),
      };
    }
    // Some owners ask for the full number before the first call-back (a recorded reveal).
    if (!state.contacted && live.reveals === 0 && rng.chance(0.2)) {
      return {
        at: soon(5, 60),
        command: (a) => ({ ...base, type: 'RevealContact', at: a, reason: rng.pick(REVEAL_REASONS) }),
      };
    }
    if (!state.contacted && rng.chance(0.85)) {
      const [method, note] = rng.pick(FIRST_CONTACT);
      return {
        at: soon(15, 6 * 60),
        command: (a) => ({ ...base, type: 'RecordResidentContact', at: a, method, note }),
      };
    }
    const routine = this.routinePlan(live, now);
    if (routine) return routine;

    const open = [...state.referrals.values()].filter((r) => !r.completed);
    const canResolve = state.contacted && open.length === 0 && live.workDone >= 2;
    const choice = rng.weighted([
      ['complete', open.length > 0 ? 45 : 0],
      ['step', 30],
      ['contact', 10],
      [
        'refer',
        live.topic.referTo && state.referrals.length < 2 ? (state.referrals.length === 0 ? 18 : 4) : 0,
      ],
      ['suspend', live.suspensions < 1 ? 3 : 0],
      ['handOver', live.handOvers < 2 ? 3 : 0],
      ['resolve', canResolve ? 20 + 12 * live.workDone : 0],
    ] as const);
    switch (choice) {
      case 'complete': {
        const referral = rng.pick(open);
        const staff = UNIT_STAFF_BY_CODE.get(referral.toOrgUnit);
        const actor = staff && rng.chance(0.85) ? staff : owner;
        return {
          at: this.staffTime(now + this.delay(4 * 60, 3 * 24 * 60)),
          command: (a) => ({
            type: 'CompleteReferral',
            caseId: live.id,
            actor,
            at: a,
            referralId: referral.referralId,
            outcome: live.topic.outcome,
          }),
        };
      }
      case 'step':
        return this.stepPlan(live, owner, now);
      case 'contact': {
        const [method, note] = rng.pick(LATER_CONTACT);
        return {
          at: soon(60, 24 * 60),
          command: (a) => ({ ...base, type: 'RecordResidentContact', at: a, method, note }),
        };
      }
      case 'refer': {
        const kind = live.topic.referTo ?? 'publicService';
        const units = UNITS[live.community.street];
        const to = rng.chance(0.85)
          ? (units.find((u) => u.kind === kind) ?? rng.pick(units))
          : rng.pick(units);
        const referralId = this.ids.uuid();
        return {
          at: soon(30, 8 * 60),
          command: (a) => ({
            ...base,
            type: 'ReferStep',
            at: a,
            referralId,
            target: to.target,
            toOrgUnit: to.code,
            request: live.topic.request,
          }),
        };
      }
      case 'suspend':
        return {
          at: soon(30, 8 * 60),
          command: (a) => ({ ...base, type: 'SuspendCase', at: a, reason: rng.pick(SUSPEND_REASONS) }),
        };
      case 'handOver': {
        const home = this.communityOf(owner);
        const sameStreet = COMMUNITIES.filter((c) => c !== home && c.street === home.street);
        const community = rng.chance(0.8) || sameStreet.length === 0 ? home : rng.pick(sameStreet);
        const to = rng.pick(community.cadres.filter((c) => c.id !== owner.id));
        return {
          at: soon(30, 8 * 60),
          command: (a) => ({
            ...base,
            type: 'HandOverCase',
            at: a,
            toCadreId: to.id,
            toOrgUnit: community.code,
            reason: rng.pick(HAND_OVER_REASONS),
            expiresAt: instant(Date.parse(a) + HAND_OVER_EXPIRES_AFTER),
          }),
        };
      }
      case 'resolve':
        return {
          at: soon(30, 24 * 60),
          command: (a) => ({ ...base, type: 'ResolveCase', at: a, summary: live.topic.summary }),
        };
      default: {
        const _exhaustive: never = choice;
        return _exhaustive;
      }
    }
  }

  private stepPlan(live: LiveCase, owner: ActorRef, now: number): Plan {
    const rng = this.rng;
    const photos = this.photos(rng.chance(0.3) ? rng.int(1, 2) : 0);
    const note =
      photos.length > 0 && rng.chance(0.2)
        ? ''
        : (live.topic.steps[live.steps] ?? rng.pick(LATER_STEPS)).replaceAll('{u}', String(rng.int(1, 4)));
    return {
      at: this.staffTime(now + this.delay(60, 2 * 24 * 60)),
      command: (a) => ({
        type: 'RecordHandlingStep',
        caseId: live.id,
        actor: owner,
        at: a,
        note,
        attachments: photos,
      }),
    };
  }

  private resolvedPlan(live: LiveCase, state: ResolvedCase, now: number): Plan {
    const rng = this.rng;
    const owner = this.cadreById(state.ownerId);
    if (!state.feedbackRecorded && !state.feedbackWindowExpired) {
      // The resident rates it, or the hotline calls back (回访); sometimes nobody answers in time.
      if (rng.chance(0.16)) {
        return {
          at: Math.max(now, live.resolvedAt + 3 * DAY) + this.delay(0, 60),
          command: (a) => ({ type: 'ExpireFeedbackWindow', caseId: live.id, actor: SLA_WATCHER, at: a }),
        };
      }
      const satisfaction = rng.weighted<Satisfaction>([
        ['satisfied', 68],
        ['basically_satisfied', 20],
        ['unsatisfied', 12],
      ]);
      const solved = rng.chance(
        satisfaction === 'satisfied' ? 0.97 : satisfaction === 'basically_satisfied' ? 0.8 : 0.25,
      );
      const byResident = live.residentSubmitted && rng.chance(0.7);
      const actor = byResident ? live.submitter : rng.chance(0.75) ? rng.pick(HOTLINE_AGENTS) : owner;
      const comment = rng.chance(0.4) ? rng.pick(FEEDBACK_COMMENTS[satisfaction]) : undefined;
      return {
        at: byResident
          ? this.residentTime(live, now + this.delay(30, 2 * 24 * 60))
          : this.staffTime(now + this.delay(120, 2 * 24 * 60)),
        command: (a) => ({
          type: 'RecordFeedback',
          caseId: live.id,
          actor,
          at: a,
          satisfaction,
          solved,
          ...(comment !== undefined ? { comment } : {}),
        }),
      };
    }
    const last = live.feedback ?? undefined;
    const unhappy = last !== undefined && (last.satisfaction === 'unsatisfied' || !last.solved);
    if (rng.chance(unhappy ? 0.55 : 0.02)) {
      return {
        at: this.staffTime(now + this.delay(60, 24 * 60)),
        command: (a) => ({
          type: 'ReopenCase',
          caseId: live.id,
          actor: this.supervisor(live),
          at: a,
          reason: rng.pick(REOPEN_REASONS),
        }),
      };
    }
    return {
      at: this.staffTime(now + this.delay(30, 24 * 60)),
      command: (a) => ({ type: 'CloseCase', caseId: live.id, actor: owner, at: a }),
    };
  }

  /**
   * Timers fire at their deadlines: when the next human action would come after a warning or a
   * breach of a running clock, the SLA watcher's command comes first (and the human one is chosen
   * afresh afterwards). A warning raised puts an extension on a supervisor's desk now and then.
   */
  private withTimers(live: LiveCase, plan: Plan): Plan {
    const state = live.state;
    if (state.status === 'none' || !OPEN_STATUSES.has(state.status)) return plan;
    const now = live.lastAt;
    const paused = state.status === 'in_handling' && state.suspended;
    const unresolved = UNRESOLVED_STATUSES.has(state.status);
    const horizon = plan?.at ?? Number.POSITIVE_INFINITY;

    // A supervisor reacts to a warning before anything else happens on the case.
    const extension = this.extensionPlan(live, now);
    if (extension) return extension;

    // The watcher records the due times it computes as soon as they change (ADR 0029).
    const dueTimes = paused ? null : this.dueTimes(live, unresolved);
    if (dueTimes && state.dueTimes !== dueTimesKey(WORKLOAD_POLICY, dueTimes) && now + MINUTE < horizon) {
      return {
        at: now + MINUTE,
        command: (a) => ({
          type: 'SetDueTimes',
          caseId: live.id,
          actor: SLA_WATCHER,
          at: a,
          policyId: WORKLOAD_POLICY,
          calendarVersion: null,
          cause: 'case',
          clocks: dueTimes,
        }),
      };
    }

    const timers: { at: number; clock: SlaClock; due: number; breach: boolean }[] = [];
    const clocks: [SlaClock, number, number, boolean][] = [
      ['response', live.responseDue, 4 * HOUR, !state.contacted],
      ['resolution', live.resolutionDue, DAY, unresolved],
    ];
    for (const [clock, due, lead, running] of clocks) {
      if (!running || paused) continue;
      const key = slaAlertKey(clock, instant(due));
      if (!state.slaWarnings.has(key) && Math.max(now + MINUTE, due - lead) < due) {
        timers.push({ at: Math.max(now + MINUTE, due - lead), clock, due, breach: false });
      } else if (!state.slaBreaches.has(key)) {
        timers.push({
          at: Math.max(now + MINUTE, due + this.rng.int(0, 5) * MINUTE),
          clock,
          due,
          breach: true,
        });
      }
    }
    // A breach still unmet after its grace period goes to the street's supervisors, once.
    for (const [clock, due, , running] of clocks) {
      const key = slaAlertKey(clock, instant(due));
      if (running && !paused && state.slaBreaches.has(key) && !state.escalations.has(key)) {
        const at = Math.max(now + MINUTE, due + ESCALATION_GRACE);
        if (at <= horizon) {
          return {
            at,
            command: (a) => ({
              type: 'EscalateCase',
              caseId: live.id,
              actor: SLA_WATCHER,
              at: a,
              escalation: {
                clock,
                dueAt: instant(due),
                toOrgUnit: live.community.code.split('.').slice(0, 2).join('.'),
              },
              instruction: '超时未办结，升级至街道督办',
            }),
          };
        }
      }
    }

    const first = timers.filter((t) => t.at <= horizon).sort((a, b) => a.at - b.at)[0];
    if (!first) return plan;
    const dueAt = instant(first.due);
    return {
      at: first.at,
      command: (a) =>
        first.breach
          ? { type: 'RecordSlaBreach', caseId: live.id, actor: SLA_WATCHER, at: a, clock: first.clock, dueAt }
          : {
              type: 'RaiseSlaWarning',
              caseId: live.id,
              actor: SLA_WATCHER,
              at: a,
              clock: first.clock,
              dueAt,
            },
    };
  }

  /** The response and resolution due times as the workload keeps them, in calendar time. */
  private dueTimes(live: LiveCase, unresolved: boolean): DueTime[] | null {
    if (live.responseDue === 0) return null;
    const due = (clock: SlaClock, at: number, running: boolean): DueTime => ({
      clock,
      round: 1 + (live.state.status === 'none' ? 0 : live.state.reopenCount),
      dueAt: instant(at),
      budgetMs: Math.max(0, Math.round(at - live.submittedAt)),
      usedMs: Math.max(0, Math.round(Math.min(at, live.lastAt) - live.submittedAt)),
      counting: 'calendar',
      running,
    });
    const state = live.state;
    const contacted = state.status !== 'none' && state.contacted;
    return [
      { ...due('response', live.responseDue, !contacted), round: 1 },
      due('resolution', live.resolutionDue, unresolved),
    ];
  }

  private extensionPlan(live: LiveCase, now: number): Plan {
    const state = live.state;
    if (state.status === 'none' || !UNRESOLVED_STATUSES.has(state.status)) return null;
    const rng = this.rng;
    for (const [clock, due, odds] of [
      ['resolution', live.resolutionDue, 0.35],
      ['response', live.responseDue, 0.05],
    ] as const) {
      const key = slaAlertKey(clock, instant(due));
      if (!state.slaWarnings.has(key) || live.extensionConsidered.has(key)) continue;
      live.extensionConsidered.add(key);
      if (!rng.chance(odds)) continue;
      const extraBusinessDays = clock === 'resolution' ? rng.int(2, 10) : 1;
      return {
        at: this.staffTime(now + this.delay(30, 300)),
        command: (a) => ({
          type: 'GrantExtension',
          caseId: live.id,
          actor: this.supervisor(live),
          at: a,
          clock,
          extraBusinessDays,
          reason: rng.pick(EXTENSION_REASONS),
        }),
      };
    }
    return null;
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Minutes to days: mostly within hours, with a long tail. */
  private delay(minMinutes: number, maxMinutes: number): number {
    const span = maxMinutes - minMinutes;
    const skewed = this.rng.float() ** 2;
    return (minMinutes + skewed * span) * MINUTE + this.rng.int(0, 59) * SECOND;
  }

  /** Staff act from 08:30 to 18:00 (community service stations open at weekends too). */
  private staffTime(at: number): number {
    return this.within(at, 8.5, 18);
  }

  /** Residents act from 07:00 to 23:00; the hotline and the counters follow staff hours. */
  private residentTime(live: LiveCase, at: number): number {
    return live.submitter.role === 'resident' ? this.within(at, 7, 23) : this.staffTime(at);
  }

  private within(at: number, from: number, to: number): number {
    const hour = localHour(at);
    if (hour >= from && hour < to) return at;
    const midnight = localMidnight(at) + (hour >= to ? DAY : 0);
    return midnight + from * HOUR + this.rng.int(0, 90) * MINUTE + this.rng.int(0, 59) * SECOND;
  }

  private contacted(live: LiveCase): boolean {
    return live.state.status !== 'none' && live.state.contacted;
  }

  private supervisor(live: LiveCase): ActorRef {
    return this.rng.chance(0.75) ? SUPERVISORS[live.community.street] : SUPERVISORS.district;
  }

  private cadreById(id: string): ActorRef {
    return CADRES_BY_ID.get(id) ?? { id, role: 'cadre' };
  }

  private communityOf(actor: ActorRef): Community {
    return COMMUNITIES.find((c) => c.code === actor.orgUnit) ?? this.rng.pick(COMMUNITIES);
  }
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
