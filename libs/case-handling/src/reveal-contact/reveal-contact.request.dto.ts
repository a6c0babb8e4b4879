import { ApiProperty } from '@nestjs/swagger';
import { ReasonField } from '../http/request-fields';
import { formatPosition } from '@tongban/event-store';

export class RevealContactRequest {
  @ReasonField(
    '回电前核对居民手机号',
    'Why you need the full number; recorded on the case with who asked and when.',
  )
  reason!: string;
}

export class RevealContactResponse {
  @ApiProperty({ example: '1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91', format: 'uuid' })
  caseId!: string;

  @ApiProperty({ example: '13812345678', description: 'The resident’s full phone number, as filed.' })
  phone!: string;

  @ApiProperty({ example: '2026-11-30T02:15:00.000Z', description: 'When the reveal was recorded.' })
  revealedAt!: string;

  @ApiProperty({ example: 4, description: 'Stream version after the recorded reveal.' })
  version!: number;

  @ApiProperty({
    type: String,
    example: formatPosition({ tx: 7421n, seq: 119n }),
    nullable: true,
    description: 'Consistency token: the timeline shows the reveal once it reaches it (?after=).',
  })
  position!: string | null;
}
