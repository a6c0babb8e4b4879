import { ValidationPipe, type ValidationError } from '@nestjs/common';
import * as classTransformer from 'class-transformer';
import * as classValidator from 'class-validator';
import { ValidationFailedError, type FieldProblem } from '@tongban/errors';

function flatten(errors: readonly ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([reason, message]) => ({
      field,
      // class-validator names the whitelist violation `whitelistValidation`; say what it means.
      reason: reason === 'whitelistValidation' ? 'unknownField' : reason,
      message,
    }));
    return own.concat(flatten(error.children ?? [], field));
  });
}

/**
 * Edge validation for every DTO: unknown fields are rejected, values are transformed to their
 * declared types, and failures become `request.validation_failed` with one entry per field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    // The same module instances our DTO decorators registered with: Nest would otherwise load
    // its own copy, and class-transformer's @Type metadata lives per instance (under jest's
    // module registry the two differ, and nested DTOs silently stop being transformed).
    validatorPackage: classValidator,
    transformerPackage: classTransformer,
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new ValidationFailedError('The request did not pass validation.', flatten(errors)),
  });
}
