import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** A decimal degree as a query string gives it; anything else is left for the validators to refuse. */
const toDegrees = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d{1,3}(\.\d{1,17})?$/.test(value) ? Number(value) : value;

/** Where: an address as written, or a point (both `lat` and `lng`); exactly one of the two. */
export class FindOnePersonQuery {
  @ApiPropertyOptional({
    description: 'The address as written (full-width digits, 栋/幢/号楼, units and rooms are understood).',
    example: '古城街道太阳城小区3号楼2单元',
    minLength: 2,
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  address?: string;

  @ApiPropertyOptional({
    description: 'Latitude (WGS-84), with `lng`.',
    example: 40.0937,
    minimum: -90,
    maximum: 90,
  })
  @IsOptional()
  @Transform(toDegrees)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat?: number;

  @ApiPropertyOptional({
    description: 'Longitude (WGS-84), with `lat`.',
    example: 113.2951,
    minimum: -180,
    maximum: 180,
  })
  @IsOptional()
  @Transform(toDegrees)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lng?: number;
}

export class PlaceView {
  @ApiProperty({ example: 'pc.gucheng.taiyangcheng' }) code!: string;
  @ApiProperty({ example: '太阳城社区' }) name!: string;
}

export class LocatedView {
  @ApiProperty({ enum: ['address', 'point'] }) by!: 'address' | 'point';
  @ApiProperty({ type: PlaceView }) street!: PlaceView;
  @ApiProperty({ type: PlaceView }) community!: PlaceView;
  @ApiProperty({ type: PlaceView, nullable: true }) grid!: PlaceView | null;
}

/** A cadre as their name badge shows them (挂牌上岗). */
export class CadreCardView {
  @ApiProperty({ nullable: true, type: String, description: 'The cadre id, for staff; null for residents.' })
  id!: string | null;
  @ApiProperty({ example: '王建华' }) name!: string;
  @ApiProperty({ example: 'PC-GC-TYC-003' }) badge!: string;
  @ApiProperty({ example: '委员' }) post!: string;
  @ApiProperty({ type: [String], example: ['综治', '物业协调'] }) duties!: string[];
  @ApiProperty({ description: 'Office phone; masked for residents (138****1234).', example: '138****1234' })
  phone!: string;
  @ApiProperty({ description: 'In post and not on leave today.' }) present!: boolean;
}

export class OnePersonView {
  @ApiProperty({ type: LocatedView, nullable: true, description: 'Null when the directory cannot place it.' })
  located!: LocatedView | null;
  @ApiProperty({
    type: CadreCardView,
    nullable: true,
    description:
      'The grid’s responsible cadre: the one person for this place. Null without a grid or a cadre.',
  })
  cadre!: CadreCardView | null;
  @ApiProperty({
    type: CadreCardView,
    nullable: true,
    description:
      'Who stands in today (the community’s cadre on duty) when the one person is away or unknown.',
  })
  standIn!: CadreCardView | null;
  @ApiProperty({
    description: 'The Asia/Shanghai day presence and duty were read for.',
    example: '2026-12-01',
  })
  day!: string;
  @ApiProperty({ description: 'The directory version that answered.' }) directoryVersion!: number;
}
