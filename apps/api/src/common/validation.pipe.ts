import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import type { FieldError } from './errors/error-body';

export type { FieldError } from './errors/error-body';

/** Which failed constraint explains a field best: its presence, then its type, then the rest. */
const FIRST = ['whitelistValidation', 'isDefined', 'isString', 'isBoolean', 'isInt', 'isNumber', 'isIn', 'isEnum', 'isArray', 'isObject'];
const rank = (name: string) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length);

/** One message per field (not one per failed constraint), or "is required" when it is missing. */
function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const failed = Object.entries(e.constraints ?? {}).sort(([a], [b]) => rank(a) - rank(b));
    const own: FieldError[] = [];
    if (failed.length) {
      const [name, message] = failed[0];
      const missing = e.value === undefined && !message.includes('required');
      own.push({ field, message: name === 'whitelistValidation' ? `unknown field "${field}"` : missing ? `${field} is required` : message });
    }
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Strict validation: unknown fields are rejected (not silently dropped), types are not coerced
 * from JSON bodies, and the 400 body names every bad field once. (Nulls, depth and prototype keys
 * are refused earlier, by the body middleware.)
 */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // `value` is kept so a missing field can be told from a wrong one; it never reaches the answer.
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new BadRequestException({
        statusCode: 400,
        error: 'validation_failed',
        message: fields.map((f) => f.message).join('; '),
        fields,
      });
    },
  });
}
