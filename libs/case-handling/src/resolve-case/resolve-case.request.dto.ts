import { RequiredText } from '../http/request-fields';

export class ResolveCaseRequest {
  @RequiredText('楼道灯已更换，居民确认恢复照明')
  summary!: string;
}
