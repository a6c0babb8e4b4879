import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsDefined,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ORG_UNIT_CODE } from '@tongban/cases';
import { IsNotBlank } from './validators';

/**
 * The building blocks of the use cases' request DTOs (`<use-case>.request.dto.ts`): one rule per
 * kind of field, so a reason or an org unit is checked the same way on every route.
 */

/** Free text of a step, a summary, an instruction. */
export const TEXT = 2000;
/** A reason or a comment. */
export const REASON = 500;

const ORG_UNIT_MESSAGE = 'must be an org unit code such as pc.gucheng.taiyangcheng';

/** Required free text: a string with something in it (never only white space), up to `max`. */
export function RequiredText(example: string, max: number = TEXT, description?: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ minLength: 1, example, maxLength: max, ...(description ? { description } : {}) }),
    IsString(),
    IsNotBlank(),
    MaxLength(max),
  );
}

/** Why the caller does what they do: required, up to 500 characters. */
export const ReasonField = (example: string, description?: string): PropertyDecorator =>
  RequiredText(example, REASON, description);

/** An org unit code (`pc.gucheng.taiyangcheng`); the directory checks that it exists. */
export function OrgUnitField(
  property: string,
  example: string,
  options: { readonly description?: string; readonly optional?: boolean } = {},
): PropertyDecorator {
  const doc = {
    example,
    pattern: ORG_UNIT_CODE.source,
    ...(options.description ? { description: options.description } : {}),
  };
  return applyDecorators(
    options.optional ? ApiPropertyOptional(doc) : ApiProperty(doc),
    ...(options.optional ? [IsOptional()] : []),
    Matches(ORG_UNIT_CODE, { message: `${property} ${ORG_UNIT_MESSAGE}` }),
  );
}

const ATTACHMENT_REF = /^[A-Za-z0-9._:-]{1,100}$/;
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/;

/** A reference to a file the attachment store keeps. */
export class AttachmentDto {
  @ApiProperty({
    example: 'att-7d1f0c2e',
    pattern: ATTACHMENT_REF.source,
    description: 'Reference returned by the attachment store.',
  })
  @IsString()
  @Matches(ATTACHMENT_REF, {
    message: 'ref must be 1-100 letters, digits, dots, colons, dashes or underscores',
  })
  ref!: string;

  @ApiPropertyOptional({ example: '楼道照片.jpg' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'image/jpeg', pattern: MEDIA_TYPE.source })
  @IsOptional()
  @Matches(MEDIA_TYPE, { message: 'contentType must be a media type' })
  contentType?: string;
}

/** Up to 20 attachment references, each validated. */
export function AttachmentsField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: [AttachmentDto], maxItems: 20 }),
    IsOptional(),
    ArrayMaxSize(20),
    ValidateNested({ each: true }),
    Type(() => AttachmentDto),
  );
}

/**
 * A required nested object. `@ValidateNested()` alone lets a missing value through (class-validator
 * skips nested validation of `undefined`) and checks an array element by element, so `[]` passed
 * too: presence and object shape need rules of their own.
 */
export function RequiredNested(type: new () => object): PropertyDecorator {
  return applyDecorators(
    IsDefined(),
    IsObject(),
    ValidateNested(),
    Type(() => type),
  );
}
