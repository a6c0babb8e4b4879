import { OrgUnitField, ReasonField, RequiredText } from '../http/request-fields';

export class HandOverCaseRequest {
  @RequiredText('demo-cadre-taiyangcheng-2', 64)
  toCadreId!: string;

  @OrgUnitField('toOrgUnit', 'pc.gucheng.taiyangcheng')
  toOrgUnit!: string;

  @ReasonField('轮值结束，交由本周值班委员办理')
  reason!: string;
}
