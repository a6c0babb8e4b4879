import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { FESTIVALS, MAX_CALENDAR_YEAR, MIN_CALENDAR_YEAR, type Festival } from '@tongban/sla';
import { ReasonField, RequiredNested, RequiredText } from '../http/request-fields';
import { DAY, DayField, NestedArrayField } from '../directory-admin/directory-admin.fields';

/**
 * The body of an admin's calendar load (issue 14, ADR 0027): one year as the State Council's
 * notice publishes it, shaped strictly here (400 `request.validation_failed`); what only the year
 * as a whole can tell (a festival without a block, overlapping entries, a make-up workday on a
 * weekday, a date outside the year) is `validateCalendarYear`'s refusal (422 `calendar.*`).
 */

/** A link to where the notice's text was read. */
const HTTP_URL = /^https?:\/\/[^\s]{1,490}$/;

export class CalendarSourceDto {
  @RequiredText('国务院办公厅关于2027年部分节假日安排的通知', 200, 'The notice’s title.')
  title!: string;

  @RequiredText('国办发明电〔2026〕9号', 100, 'The notice’s document number.')
  documentNumber!: string;

  @DayField('2026-11-10', 'The day the notice was issued.')
  issuedOn!: string;

  @ApiPropertyOptional({
    example: 'https://www.gov.cn/zhengce/content/',
    pattern: HTTP_URL.source,
    maxLength: 500,
    description: 'Where the notice’s text was read.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(HTTP_URL, { message: 'url must be an http(s) address without white space' })
  url?: string;
}

/** One numbered item of the notice: a holiday block and the weekend days it makes working days. */
export class HolidayBlockDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: [...FESTIVALS] },
    minItems: 1,
    maxItems: FESTIVALS.length,
    example: ['springFestival'],
    description:
      'The statutory holidays of this item; several when the notice combines them (国庆节、中秋节).',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(FESTIVALS.length)
  @IsIn(FESTIVALS, { each: true })
  festivals!: Festival[];

  @DayField('2027-02-06', 'The block’s first day off (放假).')
  from!: string;

  @DayField('2027-02-13', 'The block’s last day off, inclusive.')
  to!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', format: 'date', pattern: DAY.source },
    maxItems: 10,
    example: ['2027-02-20'],
    description: 'Saturdays and Sundays this item makes working days (调休上班).',
  })
  @IsArray()
  @ArrayMaxSize(10)
  @Matches(DAY, { each: true, message: 'each of makeUpWorkdays must be a day as YYYY-MM-DD' })
  @IsISO8601(
    { strict: true },
    { each: true, message: 'each of makeUpWorkdays must be a day of the calendar' },
  )
  makeUpWorkdays!: string[];

  @ApiPropertyOptional({
    maxLength: 500,
    example: '二、春节：2月6日至13日放假调休，共8天。2月20日（周六）上班。',
    description: 'The notice’s own words for this item.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  citation?: string;
}

export class LoadCalendarYearRequest {
  @ApiProperty({ type: 'integer', minimum: MIN_CALENDAR_YEAR, maximum: MAX_CALENDAR_YEAR, example: 2027 })
  @IsInt()
  @Min(MIN_CALENDAR_YEAR)
  @Max(MAX_CALENDAR_YEAR)
  year!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    example: 1,
    description:
      'The edit of this year’s data: 1 for a year the calendar does not have; to replace a year in force, ' +
      'higher than its version (409 `calendar.stale_version` otherwise).',
  })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  version!: number;

  @ApiProperty({ type: CalendarSourceDto, description: 'The State Council notice the data comes from.' })
  @RequiredNested(CalendarSourceDto)
  source!: CalendarSourceDto;

  @NestedArrayField(
    HolidayBlockDto,
    1,
    20,
    'The notice’s holiday items: every one of the seven statutory holidays in exactly one block.',
  )
  holidays!: HolidayBlockDto[];

  @ReasonField('国务院办公厅发布2027年节假日安排')
  reason!: string;
}
