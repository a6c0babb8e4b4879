import { RequiredText } from '../http/request-fields';

export class SuperviseCaseRequest {
  @RequiredText('请于两个工作日内反馈办理进展')
  instruction!: string;
}
