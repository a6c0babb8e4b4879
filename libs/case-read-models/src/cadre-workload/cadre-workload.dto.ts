import { ApiProperty } from '@nestjs/swagger';
import { ORG_UNIT_PLACE_SEGMENT } from '@tongban/security';
import { IsString, Matches } from 'class-validator';
import { ConsistencyDto, ConsistencyQuery } from '../queries/case-queries.dto';

/** A place segment of an org unit code (`gucheng`), from the one format in @tongban/security. */
const SEGMENT = ORG_UNIT_PLACE_SEGMENT.source.replace(/^\^/, '').replace(/\$$/, '');
/** A street (`pc.gucheng`) or a community (`pc.gucheng.taiyangcheng`) code: what a workload is asked of. */
export const STREET_OR_COMMUNITY = new RegExp(`^${SEGMENT}\\.${SEGMENT}(?:\\.${SEGMENT})?$`);

export class WorkloadQuery extends ConsistencyQuery {
  @ApiProperty({
    description:
      'The community or street whose cadres to list (a street lists the cadres of all its communities).',
    example: 'pc.gucheng.taiyangcheng',
    pattern: STREET_OR_COMMUNITY.source,
  })
  @IsString()
  @Matches(STREET_OR_COMMUNITY, {
    message: 'orgUnit must be a street or community code such as pc.gucheng or pc.gucheng.taiyangcheng',
  })
  orgUnit!: string;
}

export class CadreWorkloadView {
  @ApiProperty({ example: 'cadre-tyc-01' }) cadreId!: string;
  @ApiProperty({ description: 'The community they take these cases in.', example: 'pc.gucheng.taiyangcheng' })
  orgUnit!: string;
  @ApiProperty({
    description:
      'Cases they carry that are not resolved, closed, withdrawn or merged: dispatched to them and not yet ' +
      'accepted, or accepted (suspended ones included).',
  })
  openCases!: number;
  @ApiProperty({ description: 'Of `openCases`, those accepted (in handling).' }) accepted!: number;
  @ApiProperty({ description: 'Of `accepted`, those suspended.' }) suspended!: number;
  @ApiProperty({
    description:
      'Hand-overs offered to them and not yet answered (the offering owner still carries those cases).',
  })
  handOversOffered!: number;
  @ApiProperty({
    description:
      'Of `openCases`, those whose resolution deadline (as the SLA watcher announced it) falls within the next ' +
      '24 hours of `asOf` and has not passed. A case without a known deadline is not counted.',
  })
  dueSoon!: number;
  @ApiProperty({
    description:
      'Of `openCases`, those whose resolution deadline has passed at `asOf` or was recorded breached.',
  })
  overdue!: number;
}

export class WorkloadView {
  @ApiProperty({ example: 'pc.gucheng.taiyangcheng' }) orgUnit!: string;
  @ApiProperty({ description: 'The instant `dueSoon` and `overdue` were counted at.' }) asOf!: string;
  @ApiProperty({
    type: [CadreWorkloadView],
    description:
      'Every cadre who has taken cases in the unit, fewest open cases first (then fewest overdue, fewest due ' +
      'soon): the least loaded comes first. Not paged: a street has a few hundred cadres at most.',
  })
  items!: CadreWorkloadView[];
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}
