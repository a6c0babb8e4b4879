import { AttachmentsField, RequiredText, type AttachmentDto } from '../http/request-fields';

export class SupplementResidentInfoRequest {
  @RequiredText('补充：2单元的灯也不亮')
  note!: string;

  @AttachmentsField()
  attachments?: AttachmentDto[];
}
