import { ReasonField } from '../http/request-fields';

export class WithdrawCaseRequest {
  @ReasonField('问题已自行解决')
  reason!: string;
}
