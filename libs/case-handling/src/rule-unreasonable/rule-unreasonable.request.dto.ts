import { ReasonField } from '../http/request-fields';

export class RuleUnreasonableRequest {
  @ReasonField('诉求超出政策规定范围')
  reason!: string;
}
