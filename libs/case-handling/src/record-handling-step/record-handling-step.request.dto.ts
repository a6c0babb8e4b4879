import { AttachmentsField, RequiredText, type AttachmentDto } from '../http/request-fields';

export class RecordHandlingStepRequest {
  @RequiredText('已联系物业，更换灯泡并检查线路')
  note!: string;

  @AttachmentsField()
  attachments?: AttachmentDto[];
}
