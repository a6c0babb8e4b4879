import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isBlankText, NOT_BLANK } from '@tongban/cases';

/** The shape of a resident ID number; the check digit and birth date are verified on top. */
export const RESIDENT_ID_FORMAT = /^[0-9]{17}[0-9X]$/;

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CODES = '10X98765432';

/**
 * GB 11643-1999 resident identity number: 17 digits and a check character (ISO 7064 MOD 11-2),
 * with a plausible birth date. The check catches a mistyped digit at the counter.
 */
export function isValidResidentIdNumber(value: string): boolean {
  if (!RESIDENT_ID_FORMAT.test(value)) return false;
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + weight * Number(value[i]), 0);
  if (CHECK_CODES[sum % 11] !== value[17]) return false;
  const year = Number(value.slice(6, 10));
  const month = Number(value.slice(10, 12));
  const day = Number(value.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    year >= 1900 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day
  );
}

export function IsResidentIdNumber(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyKey) =>
    registerDecorator({
      name: 'isResidentIdNumber',
      target: target.constructor,
      propertyName: String(propertyKey),
      options: {
        message: 'must be an 18-character resident ID number with a valid GB 11643 check digit',
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isValidResidentIdNumber(value),
      },
    });
}

/** Mainland mobile: 11 digits starting 13–19. ASCII classes only: the OpenAPI document states these. */
export const MAINLAND_MOBILE = /^1[3-9][0-9]{9}$/;

/**
 * Required free text: a string with at least one character that is not white space (the case
 * vocabulary's NOT_BLANK, which the decider applies too), so a title of only spaces is refused
 * here, with the field named, before an Idempotency-Key or a case number is claimed. Refused, not
 * trimmed: what is stored is what was sent (the record keeps the caller's words, and a retry
 * hashes to the same request as before this rule). The OpenAPI document states it as
 * `pattern: \S`.
 */
export function IsNotBlank(options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ pattern: NOT_BLANK.source }),
    (target: object, propertyKey: string | symbol) =>
      registerDecorator({
        name: 'isNotBlank',
        target: target.constructor,
        propertyName: String(propertyKey),
        options: { message: '$property must not be blank', ...options },
        validator: { validate: (value: unknown) => !isBlankText(value) },
      }),
  );
}
