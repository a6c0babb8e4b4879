import { ReasonField } from '../http/request-fields';

export class ReturnCaseRequest {
  @ReasonField('不属于本社区辖区')
  reason!: string;
}
