import { applyDecorators, type PipeTransform } from '@nestjs/common';
import { ApiParam, ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsISO8601,
  IsOptional,
  Matches,
  ValidateNested,
  registerDecorator,
} from 'class-validator';
import { ORG_UNIT_CODE } from '@tongban/cases';
import { ValidationFailedError } from '@tongban/errors';
import { parseOrgUnit, type OrgUnitLevel } from '@tongban/security';

/**
 * The fields of the directory's admin requests (issue 13), shaped as strictly as the case
 * actions' (`http/request-fields.ts`): a malformed request is 400 `request.validation_failed`
 * before anything is decided; what only the directory can tell (a parent that does not exist, an
 * overlap, a taken badge) is the domain's refusal.
 */

/** One place segment (district, street, community, grid), as ADR 0009 writes it. */
const PLACE = '[a-z][a-z0-9]{0,31}';
/** A street unit's camelCase segment; its length (2–48) is checked by `parseOrgUnit`. */
const STREET_UNIT = '[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+';

/**
 * The code of each level as a pattern for the document (no look-arounds: fuzzers generate from
 * them); the server checks with `parseOrgUnit`, the one parser of the format.
 */
export const UNIT_CODE_PATTERNS: Readonly<Record<OrgUnitLevel, string>> = {
  district: `^${PLACE}$`,
  street: `^${PLACE}\\.${PLACE}$`,
  community: `^${PLACE}\\.${PLACE}\\.${PLACE}$`,
  grid: `^${PLACE}\\.${PLACE}\\.${PLACE}\\.${PLACE}$`,
  streetUnit: `^${PLACE}\\.${PLACE}\\.${STREET_UNIT}$`,
};

const LEVEL_WORDS: Readonly<Record<OrgUnitLevel, string>> = {
  district: 'a district code such as pc',
  street: 'a street code such as pc.gucheng',
  community: 'a community code such as pc.gucheng.taiyangcheng',
  grid: 'a grid code such as pc.gucheng.taiyangcheng.g01',
  streetUnit: 'a street unit code such as pc.gucheng.publicServiceOffice',
};

/** An org unit code (ADR 0009) of exactly `level`. */
export function isUnitCodeOf(value: unknown, level: OrgUnitLevel): value is string {
  if (typeof value !== 'string' || !ORG_UNIT_CODE.test(value)) return false;
  const parsed = parseOrgUnit(value);
  return parsed.ok && parsed.unit.level === level;
}

/** A required org unit code of one level. */
export function UnitCodeField(level: OrgUnitLevel, example: string, description?: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example,
      pattern: UNIT_CODE_PATTERNS[level],
      maxLength: 131,
      ...(description ? { description } : {}),
    }),
    (target: object, propertyKey: string | symbol) =>
      registerDecorator({
        name: 'isOrgUnitCode',
        target: target.constructor,
        propertyName: String(propertyKey),
        options: { message: `$property must be ${LEVEL_WORDS[level]}` },
        validator: { validate: (value: unknown) => isUnitCodeOf(value, level) },
      }),
  );
}

/**
 * A person's id as their identity provider issues it (the token's `sub`): ASCII letters, digits
 * and `._:@-`, no white space or slashes, so it is safe in a path.
 */
export const PERSON_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const PERSON_ID_MESSAGE = 'must be 1-128 letters, digits, dots, colons, at signs, dashes or underscores';

export function PersonIdField(
  example: string,
  options: { readonly description?: string; readonly optional?: boolean } = {},
): PropertyDecorator {
  const doc = {
    example,
    pattern: PERSON_ID.source,
    maxLength: 128,
    ...(options.description ? { description: options.description } : {}),
  };
  return applyDecorators(
    options.optional ? ApiPropertyOptional({ ...doc, type: String, nullable: true }) : ApiProperty(doc),
    ...(options.optional ? [IsOptional()] : []),
    Matches(PERSON_ID, { message: `$property ${PERSON_ID_MESSAGE}` }),
  );
}

/** An Asia/Shanghai calendar day. */
export const DAY = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

export function DayField(example: string, description?: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      example,
      format: 'date',
      pattern: DAY.source,
      ...(description ? { description } : {}),
    }),
    Matches(DAY, { message: '$property must be a day as YYYY-MM-DD' }),
    IsISO8601({ strict: true }, { message: '$property must be a day of the calendar' }),
  );
}

/** A required array of `type`, each element an object validated on its own, `min`..`max` long. */
export function NestedArrayField(
  type: new () => object,
  min: number,
  max: number,
  description?: string,
): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: [type], minItems: min, maxItems: max, ...(description ? { description } : {}) }),
    IsDefined(),
    IsArray(),
    ArrayMinSize(min),
    ArrayMaxSize(max),
    ValidateNested({ each: true }),
    Type(() => type),
  );
}

/**
 * A path parameter that must be an org unit code of `level` (or a person id): refused 400 with
 * the parameter named, like a body field.
 */
export class PathParam implements PipeTransform<string, string> {
  private constructor(
    private readonly name: string,
    private readonly accepts: (value: string) => boolean,
    private readonly words: string,
  ) {}

  static unit(name: string, level: OrgUnitLevel): PathParam {
    return new PathParam(name, (value) => isUnitCodeOf(value, level), `must be ${LEVEL_WORDS[level]}`);
  }

  static person(name: string): PathParam {
    return new PathParam(name, (value) => PERSON_ID.test(value), PERSON_ID_MESSAGE);
  }

  transform(value: string): string {
    if (this.accepts(value)) return value;
    throw new ValidationFailedError(`Path parameter ${this.name} ${this.words}.`, [
      { field: this.name, reason: 'matches', message: `${this.name} ${this.words}` },
    ]);
  }
}

/** Documents a path parameter that is an org unit code of `level`. */
export const ApiUnitParam = (name: string, level: OrgUnitLevel, example: string): MethodDecorator =>
  ApiParam({
    name,
    required: true,
    schema: { type: 'string', pattern: UNIT_CODE_PATTERNS[level], maxLength: 131, example },
  });

/** Documents a path parameter that is a person's id. */
export const ApiPersonParam = (name: string, example: string): MethodDecorator =>
  ApiParam({
    name,
    required: true,
    schema: { type: 'string', pattern: PERSON_ID.source, maxLength: 128, example },
  });
