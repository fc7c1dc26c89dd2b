import {
  applyDecorators,
  BadRequestException,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator, type ValidationOptions } from 'class-validator';
import { AMOUNT_PROBLEM_MESSAGES, isCurrency, parseAmountMinor } from '@ledger/ledger';

/**
 * The global validation pipe: unknown fields are refused, types are checked,
 * and the answer names every field that is wrong.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return new BadRequestException({
        statusCode: 400,
        error: 'validation_failed',
        message: fieldErrors.map((d) => d.message).join('; '),
        errors: fieldErrors,
        // The body before RFC 9457, kept for one release: the same without codes.
        details: fieldErrors.map(({ field, message }) => ({ field, message })),
      });
    },
  });
}

function flatten(
  errors: ValidationError[],
  prefix = '',
): Array<{ field: string; code: string; message: string }> {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([constraint, message]) => ({
      field,
      code: constraintCode(constraint),
      message,
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * class-validator's constraint names as stable snake_case field codes:
 * `isUuid` → `is_uuid`; an unknown field (`whitelistValidation`) is `not_allowed`.
 */
function constraintCode(constraint: string): string {
  if (constraint === 'whitelistValidation') return 'not_allowed';
  return constraint
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** An amount in minor units: a JSON integer or a string of digits; the message names the field and the problem. */
export function IsAmountMinor(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isAmountMinor',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => typeof parseAmountMinor(value) === 'bigint',
        defaultMessage: (args) => {
          const problem = parseAmountMinor(args?.value);
          return `${args?.property} ${typeof problem === 'string' ? AMOUNT_PROBLEM_MESSAGES[problem] : 'is invalid'}`;
        },
      },
    });
}

/**
 * A request's amount field: validated by `IsAmountMinor` and described in
 * the OpenAPI document as a JSON integer or a string of digits.
 */
export function AmountMinorInput(example: string, description: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      oneOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+$' }],
      example,
      description,
    }),
    IsAmountMinor(),
  );
}

/** An ISO 4217 currency code this ledger supports. */
export function IsSupportedCurrency(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSupportedCurrency',
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => isCurrency(value),
        defaultMessage: (args) =>
          `${args?.property} must be a supported ISO 4217 currency code such as USD, EUR or JPY`,
      },
    });
}
