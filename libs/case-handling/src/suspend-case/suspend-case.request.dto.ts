import { ReasonField } from '../http/request-fields';

export class SuspendCaseRequest {
  @ReasonField('等待居民提供房产证明材料')
  reason!: string;
}
