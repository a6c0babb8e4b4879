import { ReasonField } from '../http/request-fields';

export class WithdrawHandOverRequest {
  @ReasonField('培训取消，本人继续办理')
  reason!: string;
}
