import { ReasonField } from '../http/request-fields';

export class ResumeCaseRequest {
  @ReasonField('居民已补齐材料')
  reason!: string;
}
