import type { Principal } from '../principal';

export interface DemoUser extends Principal {
  readonly displayName: string;
  /** What to try with this user. */
  readonly description: string;
}

/**
 * The people of the dev login (AUTH_MODE=dev), in the demo district of docs/glossary.md:
 * 平城区 (Pingcheng, code `pc`). The source text names two streets with one community each, and
 * only those are used: 古城街道太阳城社区 (`pc.gucheng.taiyangcheng`) and 振华街道云泉里社区
 * (`pc.zhenhua.yunquanli`). Street units use their glossary names
 * (`pc.gucheng.publicServiceOffice`). Everything else is invented and marked 演示 (demo): the
 * people, and the stationed market-supervision station, which the text does not name. No
 * contact details: phone and ID numbers never belong here.
 */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'demo-resident-1',
    role: 'resident',
    displayName: '演示居民甲',
    description: 'A resident: files requests and sees only their own cases.',
  },
  {
    id: 'demo-resident-2',
    role: 'resident',
    displayName: '演示居民乙',
    description: "A second resident, to check that one resident cannot see another's cases.",
  },
  {
    id: 'demo-channel-hotline',
    role: 'channel',
    orgUnit: 'pc',
    channel: 'hotline',
    displayName: '12345热线(演示接入)',
    description: 'A channel (system client): the 12345 hotline, whose agents file cases for callers.',
  },
  {
    id: 'demo-cadre-taiyangcheng',
    role: 'cadre',
    orgUnit: 'pc.gucheng.taiyangcheng',
    displayName: '太阳城社区两委委员(演示)',
    description: 'A two-committee member of 太阳城社区 (古城街道): accepts, handles and closes cases there.',
  },
  {
    id: 'demo-cadre-taiyangcheng-2',
    role: 'cadre',
    orgUnit: 'pc.gucheng.taiyangcheng',
    displayName: '太阳城社区值班委员(演示)',
    description:
      "A second member of 太阳城社区's two committees, on duty this week: takes cases handed over within the community.",
  },
  {
    id: 'demo-cadre-yunquanli',
    role: 'cadre',
    orgUnit: 'pc.zhenhua.yunquanli',
    displayName: '云泉里社区两委委员(演示)',
    description: 'A two-committee member of 云泉里社区 (振华街道): acts only within that community.',
  },
  {
    id: 'demo-dispatcher',
    role: 'dispatcher',
    orgUnit: 'pc',
    displayName: '平城区派单员(演示)',
    description: 'A district dispatcher: names the owner cadre of incoming cases.',
  },
  {
    id: 'demo-office-gucheng-public-service',
    role: 'office_staff',
    orgUnit: 'pc.gucheng.publicServiceOffice',
    displayName: '古城街道公共服务办工作人员(演示)',
    description: "Staff of 古城街道's public-service office: takes referred steps.",
  },
  {
    id: 'demo-agency-zhenhua-market-supervision',
    role: 'office_staff',
    orgUnit: 'pc.zhenhua.marketSupervisionStation',
    displayName: '振华街道市场监管所工作人员(演示,机构为虚构)',
    description:
      'Staff of a stationed agency in 振华街道 (an invented market-supervision station): takes referred steps.',
  },
  {
    id: 'demo-supervisor-gucheng',
    role: 'supervisor',
    orgUnit: 'pc.gucheng',
    displayName: '古城街道督办员(演示)',
    description: "A street supervisor: audits 古城街道's cases and rates.",
  },
  {
    id: 'demo-supervisor-district',
    role: 'supervisor',
    orgUnit: 'pc',
    displayName: '平城区督办员(演示)',
    description: "A district supervisor: audits the whole district's cases and rates.",
  },
  {
    id: 'demo-admin',
    role: 'admin',
    orgUnit: 'pc',
    displayName: '平城区系统管理员(演示)',
    description: 'An administrator: directory, catalogue and calendars.',
  },
];

export function findDemoUser(id: string): DemoUser | undefined {
  return DEMO_USERS.find((user) => user.id === id);
}
