import { RequiredText } from '../http/request-fields';

export class CompleteReferralRequest {
  @RequiredText('线路已检修完毕')
  outcome!: string;
}
