import type { MatterRecord, ResponsibleUnit } from '../model';

/**
 * The demo responsibility catalogue (权责清单): demo data. Codes are `PC-<category>-<number>`
 * with category initials (WYGL 物业管理, GGFW 公共服务, GGGL 公共管理, GGAQ 公共安全, ZHZF 综合执法,
 * SCJG 市场监管, TJ 调解, HJ 户籍, BM 便民, TYJR 退役军人, DJ 党建, ZRZY 自然资源). The fourteen codes
 * the random workload (libs/cases/src/testing/random-workload.ts) files under keep its names,
 * units and time limits, so that workload and catalogue agree.
 *
 * SLA policy ids name the time limit (`quick-2d`: two business days); the SLA issue defines them.
 */

const office = (name: string): ResponsibleUnit => ({ kind: 'office', name });
const serviceUnit = (name: string): ResponsibleUnit => ({ kind: 'serviceUnit', name });
const agency = (agencyType: string): ResponsibleUnit => ({ kind: 'stationedAgency', name: agencyType });

const PUBLIC_SERVICE = office('publicServiceOffice');
const PUBLIC_MANAGEMENT = office('publicManagementOffice');
const PUBLIC_SAFETY = office('publicSafetyOffice');
const LAW_ENFORCEMENT = office('lawEnforcementOffice');
const PARTY_BUILDING = office('partyBuildingOffice');
const PARTY_MASSES = serviceUnit('partyMassesServiceCentre');
const CONVENIENCE = serviceUnit('convenienceServiceCentre');
const VETERANS = serviceUnit('veteransServiceStation');
const MARKET = agency('marketSupervision');
const POLICE = agency('police');
const JUDICIAL = agency('judicial');
const NATURAL_RESOURCES = agency('naturalResources');

type Row = readonly [
  code: string,
  name: string,
  category: string,
  responsible: ResponsibleUnit,
  communityHandles: boolean,
  priority: MatterRecord['priority'],
  slaPolicyId: string,
];

const ROWS: readonly Row[] = [
  // 物业管理: 红心物业 campaign matters; the community coordinates, the public-service office backs it.
  ['PC-WYGL-0101', '电梯故障停运', '物业管理', PUBLIC_SERVICE, true, 'high', 'standard-5d'],
  ['PC-WYGL-0102', '物业服务质量投诉', '物业管理', PUBLIC_SERVICE, true, 'normal', 'standard-5d'],
  [
    'PC-WYGL-0103',
    '物业费收缴纠纷(红心物业协调)',
    '物业管理',
    PUBLIC_SERVICE,
    true,
    'normal',
    'standard-10d',
  ],
  ['PC-WYGL-0104', '小区公共设施损坏维修', '物业管理', PUBLIC_SERVICE, true, 'normal', 'standard-5d'],
  ['PC-WYGL-0105', '业主委员会成立与换届指导', '物业管理', PUBLIC_SERVICE, true, 'normal', 'long-15d'],
  ['PC-WYGL-0106', '物业企业撤场与交接', '物业管理', PUBLIC_SERVICE, true, 'high', 'standard-10d'],
  ['PC-WYGL-0107', '小区二次供水设施故障', '物业管理', PUBLIC_SERVICE, true, 'urgent', 'urgent-24h'],
  ['PC-WYGL-0108', '楼道杂物堆放清理', '物业管理', PUBLIC_SERVICE, true, 'normal', 'quick-3d'],
  ['PC-WYGL-0109', '小区门禁与监控故障', '物业管理', PUBLIC_SERVICE, true, 'normal', 'standard-5d'],
  ['PC-WYGL-0110', '无物业老旧小区托管服务', '物业管理', PUBLIC_SERVICE, true, 'normal', 'long-15d'],
  ['PC-WYGL-0111', '小区停车收费纠纷', '物业管理', PUBLIC_SERVICE, true, 'normal', 'standard-7d'],
  // 公共服务: facilities, utilities, social security.
  ['PC-GGFW-0107', '楼道灯、路灯不亮', '公共设施维修', PUBLIC_SERVICE, true, 'normal', 'quick-3d'],
  ['PC-GGFW-0108', '公共健身器材损坏', '公共设施维修', PUBLIC_SERVICE, true, 'normal', 'standard-10d'],
  ['PC-GGFW-0109', '道路破损坑洼', '市政设施', PUBLIC_SERVICE, true, 'normal', 'standard-7d'],
  ['PC-GGFW-0110', '井盖缺失或破损', '市政设施', PUBLIC_SERVICE, true, 'urgent', 'urgent-24h'],
  ['PC-GGFW-0115', '化粪池外溢', '市政设施', PUBLIC_SERVICE, true, 'high', 'quick-2d'],
  ['PC-GGFW-0116', '下水道堵塞', '市政设施', PUBLIC_SERVICE, true, 'high', 'quick-2d'],
  ['PC-GGFW-0210', '停水(供水管网故障)', '供水', PUBLIC_SERVICE, true, 'urgent', 'urgent-24h'],
  ['PC-GGFW-0211', '供暖中断', '供暖', PUBLIC_SERVICE, true, 'urgent', 'urgent-24h'],
  ['PC-GGFW-0212', '供暖温度不达标', '供暖', PUBLIC_SERVICE, true, 'high', 'quick-3d'],
  ['PC-GGFW-0213', '停电(供电线路故障)', '供电', PUBLIC_SERVICE, true, 'urgent', 'urgent-24h'],
  ['PC-GGFW-0214', '燃气表与管道报修', '燃气', PUBLIC_SERVICE, true, 'high', 'quick-2d'],
  ['PC-GGFW-0401', '高龄津贴申请', '社会保障', PUBLIC_SERVICE, true, 'normal', 'standard-5d'],
  ['PC-GGFW-0402', '居家养老服务申请', '养老服务', PUBLIC_SERVICE, true, 'normal', 'standard-7d'],
  ['PC-GGFW-0403', '养老机构服务投诉', '养老服务', PUBLIC_SERVICE, false, 'normal', 'standard-7d'],
  ['PC-GGFW-0404', '最低生活保障申请', '社会救助', PUBLIC_SERVICE, true, 'normal', 'standard-10d'],
  ['PC-GGFW-0405', '临时救助申请', '社会救助', PUBLIC_SERVICE, true, 'high', 'quick-3d'],
  ['PC-GGFW-0406', '残疾人两项补贴申请', '社会救助', PUBLIC_SERVICE, true, 'normal', 'standard-10d'],
  ['PC-GGFW-0407', '独居老人探访关爱', '养老服务', PUBLIC_SERVICE, true, 'high', 'quick-2d'],
  ['PC-GGFW-0408', '困境儿童关爱帮扶', '社会救助', PUBLIC_SERVICE, true, 'high', 'standard-5d'],
  ['PC-GGFW-0409', '就业登记与失业登记', '就业创业', PUBLIC_SERVICE, true, 'normal', 'standard-5d'],
  ['PC-GGFW-0410', '创业担保贷款咨询', '就业创业', PUBLIC_SERVICE, false, 'normal', 'standard-10d'],
  // 公共管理: sanitation, greening, city appearance (the workload refers 0104 to public service).
  ['PC-GGGL-0104', '垃圾清运不及时', '环境卫生', PUBLIC_SERVICE, true, 'high', 'quick-2d'],
  ['PC-GGGL-0105', '垃圾分类投放点管理', '环境卫生', PUBLIC_MANAGEMENT, true, 'normal', 'standard-5d'],
  ['PC-GGGL-0106', '道路清扫保洁不到位', '环境卫生', PUBLIC_MANAGEMENT, true, 'normal', 'quick-3d'],
  ['PC-GGGL-0107', '公共厕所脏乱', '环境卫生', PUBLIC_MANAGEMENT, true, 'normal', 'quick-3d'],
  ['PC-GGGL-0108', '绿化带毁损与树木修剪', '园林绿化', PUBLIC_MANAGEMENT, true, 'normal', 'standard-7d'],
  ['PC-GGGL-0109', '病媒生物防制(灭鼠灭蟑)', '环境卫生', PUBLIC_MANAGEMENT, true, 'normal', 'standard-5d'],
  ['PC-GGGL-0110', '老旧小区改造意见', '城市更新', PUBLIC_MANAGEMENT, false, 'normal', 'long-15d'],
  ['PC-GGGL-0111', '共享单车乱停放', '市容环境', PUBLIC_MANAGEMENT, true, 'normal', 'quick-3d'],
  // 公共安全 (平安建设).
  ['PC-GGAQ-0105', '高空抛物隐患', '公共安全', POLICE, true, 'high', 'standard-5d'],
  ['PC-GGAQ-0106', '消防通道堵塞', '消防安全', PUBLIC_SAFETY, true, 'urgent', 'urgent-24h'],
  ['PC-GGAQ-0107', '电动车楼道充电', '消防安全', PUBLIC_SAFETY, true, 'high', 'quick-2d'],
  ['PC-GGAQ-0108', '燃气泄漏隐患', '安全生产', PUBLIC_SAFETY, true, 'urgent', 'urgent-24h'],
  ['PC-GGAQ-0109', '危房与墙体开裂隐患', '安全生产', PUBLIC_SAFETY, true, 'urgent', 'urgent-24h'],
  ['PC-GGAQ-0110', '群租房安全隐患', '公共安全', PUBLIC_SAFETY, true, 'high', 'standard-5d'],
  ['PC-GGAQ-0210', '僵尸车长期占用车位', '停车管理', POLICE, true, 'normal', 'standard-10d'],
  ['PC-GGAQ-0211', '治安隐患与可疑人员', '社会治安', POLICE, true, 'high', 'quick-2d'],
  ['PC-GGAQ-0212', '电信诈骗防范求助', '社会治安', POLICE, false, 'high', 'quick-2d'],
  // 综合行政执法.
  ['PC-ZHZF-0115', '占道经营', '市容环境', LAW_ENFORCEMENT, true, 'normal', 'standard-5d'],
  ['PC-ZHZF-0116', '户外广告与招牌设置不规范', '市容环境', LAW_ENFORCEMENT, false, 'normal', 'standard-10d'],
  ['PC-ZHZF-0117', '渣土车抛洒与工地扬尘', '大气污染', LAW_ENFORCEMENT, false, 'high', 'quick-3d'],
  ['PC-ZHZF-0118', '露天烧烤油烟扰民', '大气污染', LAW_ENFORCEMENT, true, 'normal', 'standard-5d'],
  ['PC-ZHZF-0203', '社会生活噪声扰民', '环境噪声', LAW_ENFORCEMENT, true, 'normal', 'standard-7d'],
  ['PC-ZHZF-0204', '夜间施工噪声', '环境噪声', LAW_ENFORCEMENT, false, 'high', 'quick-2d'],
  ['PC-ZHZF-0301', '违法建设', '违法建设', LAW_ENFORCEMENT, true, 'normal', 'long-15d'],
  ['PC-ZHZF-0302', '毁绿占绿与私搭乱建', '违法建设', LAW_ENFORCEMENT, true, 'normal', 'long-15d'],
  // 市场监管 (stationed market-supervision station).
  ['PC-SCJG-0112', '计量器具缺斤短两', '市场监管', MARKET, false, 'normal', 'standard-5d'],
  ['PC-SCJG-0113', '无照经营', '市场秩序', MARKET, false, 'normal', 'standard-10d'],
  ['PC-SCJG-0114', '价格欺诈与乱收费', '市场秩序', MARKET, false, 'normal', 'standard-7d'],
  ['PC-SCJG-0115', '预付卡消费纠纷', '消费维权', MARKET, false, 'normal', 'standard-10d'],
  ['PC-SCJG-0301', '过期变质食品', '食品安全', MARKET, false, 'high', 'standard-5d'],
  ['PC-SCJG-0302', '餐饮店卫生问题', '食品安全', MARKET, false, 'high', 'standard-5d'],
  // 调解 and 司法.
  ['PC-TJ-0001', '邻里纠纷调解', '邻里纠纷', JUDICIAL, true, 'normal', 'standard-10d'],
  ['PC-TJ-0002', '楼上漏水渗水纠纷', '邻里纠纷', PUBLIC_SERVICE, true, 'normal', 'standard-10d'],
  ['PC-TJ-0003', '家庭婚姻纠纷调解', '家庭纠纷', JUDICIAL, true, 'normal', 'standard-10d'],
  ['PC-TJ-0004', '拖欠农民工工资', '劳动保障', JUDICIAL, false, 'high', 'standard-5d'],
  ['PC-TJ-0005', '法律援助申请', '法律服务', JUDICIAL, false, 'normal', 'standard-7d'],
  // 户籍与证件 (stationed police station).
  ['PC-HJ-0101', '户口迁入迁出', '户籍管理', POLICE, false, 'normal', 'standard-10d'],
  ['PC-HJ-0102', '居民身份证申领与补领', '证件办理', POLICE, false, 'normal', 'standard-10d'],
  ['PC-HJ-0103', '新生儿出生登记', '户籍管理', POLICE, false, 'normal', 'standard-5d'],
  ['PC-HJ-0104', '居住证申领', '证件办理', POLICE, false, 'normal', 'standard-10d'],
  // 便民服务 (comprehensive convenience service centre).
  ['PC-BM-0101', '社区证明开具', '便民服务', CONVENIENCE, true, 'normal', 'quick-2d'],
  ['PC-BM-0102', '社会保障卡申领与补换', '便民服务', CONVENIENCE, false, 'normal', 'standard-7d'],
  ['PC-BM-0103', '城乡居民医疗保险参保', '社会保障', CONVENIENCE, true, 'normal', 'standard-5d'],
  ['PC-BM-0104', '生育登记服务', '计划生育', CONVENIENCE, true, 'normal', 'standard-5d'],
  ['PC-BM-0105', '老年人优待证办理', '养老服务', CONVENIENCE, true, 'normal', 'standard-5d'],
  // 退役军人服务.
  ['PC-TYJR-0101', '退役军人优待证申领', '退役军人服务', VETERANS, true, 'normal', 'standard-10d'],
  ['PC-TYJR-0102', '退役军人就业创业帮扶', '退役军人服务', VETERANS, true, 'normal', 'standard-10d'],
  ['PC-TYJR-0103', '优抚对象抚恤补助', '退役军人服务', VETERANS, true, 'normal', 'standard-10d'],
  ['PC-TYJR-0104', '光荣牌悬挂与军属慰问', '退役军人服务', VETERANS, true, 'normal', 'standard-7d'],
  ['PC-TYJR-0105', '退役军人困难帮扶', '退役军人服务', VETERANS, true, 'high', 'standard-5d'],
  // 党建与党群服务.
  ['PC-DJ-0101', '党组织关系转接', '党建服务', PARTY_BUILDING, false, 'normal', 'standard-7d'],
  ['PC-DJ-0102', '在职党员社区报到', '党建服务', PARTY_BUILDING, true, 'normal', 'standard-7d'],
  ['PC-DJ-0103', '党群服务中心活动场地预约', '党群服务', PARTY_MASSES, true, 'normal', 'quick-3d'],
  ['PC-DJ-0104', '志愿服务活动报名', '党群服务', PARTY_MASSES, true, 'normal', 'standard-5d'],
  // 自然资源 (stationed natural-resources station).
  ['PC-ZRZY-0101', '不动产登记咨询', '不动产登记', NATURAL_RESOURCES, false, 'normal', 'standard-10d'],
  ['PC-ZRZY-0102', '违法占地与乱占耕地', '土地管理', NATURAL_RESOURCES, false, 'normal', 'long-15d'],
];

export const DEMO_MATTERS: readonly MatterRecord[] = ROWS.map(
  ([code, name, category, responsible, communityHandles, priority, slaPolicyId]) => ({
    code,
    name,
    category,
    responsible,
    communityHandles,
    priority,
    slaPolicyId,
  }),
);
