import { channelForRole, PRINCIPAL_ROLES, unitForRole } from '../principal';
import { DEMO_USERS } from './demo-users';

describe('the demo users', () => {
  it('cover every role, so a newcomer can try each one', () => {
    expect([...new Set(DEMO_USERS.map((u) => u.role))].sort()).toEqual([...PRINCIPAL_ROLES].sort());
  });

  it('include two residents, cadres of two communities (two in one of them), two supervisors and two kinds of office staff', () => {
    const of = (role: string) => DEMO_USERS.filter((u) => u.role === role);
    expect(of('resident')).toHaveLength(2);
    // Two in 太阳城, so that a hand-over within a community can be tried (ADR 0012).
    expect(of('cadre').map((u) => u.orgUnit)).toEqual([
      'pc.gucheng.taiyangcheng',
      'pc.gucheng.taiyangcheng',
      'pc.zhenhua.yunquanli',
    ]);
    expect(of('supervisor').map((u) => u.orgUnit)).toEqual(['pc.gucheng', 'pc']);
    expect(of('office_staff')).toHaveLength(2);
  });

  it('each make a token the verifier accepts: the unit and the channel fit the role', () => {
    for (const user of DEMO_USERS) {
      expect({ id: user.id, unit: unitForRole(user.role, user.orgUnit).ok }).toEqual({
        id: user.id,
        unit: true,
      });
      expect({ id: user.id, channel: channelForRole(user.role, user.channel).ok }).toEqual({
        id: user.id,
        channel: true,
      });
    }
    expect(DEMO_USERS.find((u) => u.id === 'demo-channel-hotline')?.channel).toBe('hotline');
  });

  it('have unique ids and a display name', () => {
    expect(new Set(DEMO_USERS.map((u) => u.id)).size).toBe(DEMO_USERS.length);
    for (const user of DEMO_USERS) expect(user.displayName.length).toBeGreaterThan(0);
  });

  it('live only in Pingcheng, in the streets and communities the source text names', () => {
    for (const { orgUnit } of DEMO_USERS) {
      if (orgUnit === undefined) continue;
      expect(orgUnit).toMatch(/^pc(\.(gucheng|zhenhua)(\.[a-zA-Z]+)?)?$/);
      const community = /^pc\.(gucheng|zhenhua)\.([a-z]+)$/.exec(orgUnit);
      if (community)
        expect(['gucheng.taiyangcheng', 'zhenhua.yunquanli']).toContain(`${community[1]}.${community[2]}`);
    }
  });

  it('carry no phone or ID numbers', () => {
    const text = JSON.stringify(DEMO_USERS);
    expect(text).not.toMatch(/\d{7,}/);
    expect(text).not.toMatch(/1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}/);
  });
});
