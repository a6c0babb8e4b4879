import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FESTIVALS, type Festival } from '@tongban/sla';

/** What a load answers: the calendar's version after it and the year as now in force. */
export class CalendarLoadResponse {
  @ApiProperty({ example: 3, description: 'The `calendar` stream’s version after the load.' })
  calendarVersion!: number;
  @ApiProperty({ example: 2027 }) year!: number;
  @ApiProperty({ example: 1, description: 'The version of the year’s data now in force.' }) version!: number;
}

export class CalendarSourceView {
  @ApiProperty({ example: '国务院办公厅关于2026年部分节假日安排的通知' }) title!: string;
  @ApiProperty({ example: '国办发明电〔2025〕7号' }) documentNumber!: string;
  @ApiProperty({ example: '2025-11-04', format: 'date' }) issuedOn!: string;
  @ApiPropertyOptional({ example: 'https://politics.gmw.cn/2025-11/04/content_38391083.htm' }) url?: string;
}

export class HolidayBlockView {
  @ApiProperty({ type: 'array', items: { type: 'string', enum: [...FESTIVALS] } }) festivals!: Festival[];
  @ApiProperty({ example: '2026-02-15', format: 'date' }) from!: string;
  @ApiProperty({ example: '2026-02-23', format: 'date' }) to!: string;
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'date' }, example: ['2026-02-14'] })
  makeUpWorkdays!: string[];
  @ApiPropertyOptional({ example: '二、春节：2月15日…' }) citation?: string;
}

export class LoadedByView {
  @ApiProperty({ example: 'demo-admin' }) id!: string;
  @ApiProperty({ example: 'admin' }) role!: string;
}

/** Who loaded a stored year, when, why, and at which version of the `calendar` stream. */
export class YearLoadView {
  @ApiProperty({ type: LoadedByView }) by!: LoadedByView;
  @ApiProperty({ example: '2026-12-01T02:15:00.000Z', description: 'When (ISO-8601).' }) at!: string;
  @ApiProperty({ example: '国务院办公厅发布2027年节假日安排' }) reason!: string;
  @ApiProperty({ example: 1 }) calendarVersion!: number;
}

export class CalendarYearView {
  @ApiProperty({ example: 2026 }) year!: number;
  @ApiProperty({ example: 1, description: 'The edit of this year’s data in force.' }) version!: number;
  @ApiProperty({
    enum: ['shipped', 'stored'],
    description: '`shipped` with the code (checked day by day against its notice), or `stored` by an admin.',
  })
  origin!: 'shipped' | 'stored';
  @ApiProperty({ type: YearLoadView, nullable: true, description: 'Null for a shipped year.' })
  loaded!: YearLoadView | null;
  @ApiProperty({ type: CalendarSourceView }) source!: CalendarSourceView;
  @ApiProperty({ type: [HolidayBlockView] }) holidays!: HolidayBlockView[];
}

export class CalendarView {
  @ApiProperty({ example: 0, description: 'The `calendar` stream’s version (0: only the shipped years).' })
  calendarVersion!: number;
  @ApiProperty({ type: [CalendarYearView], description: 'The years in force, oldest first.' })
  years!: CalendarYearView[];
}
