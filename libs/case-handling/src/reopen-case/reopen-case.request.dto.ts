import { ReasonField } from '../http/request-fields';

export class ReopenCaseRequest {
  @ReasonField('居民反映问题仍未解决')
  reason!: string;
}
