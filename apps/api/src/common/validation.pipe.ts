import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * Strict validation: unknown fields are rejected (not silently dropped), types are not coerced
 * from JSON bodies, and the 400 body names every bad field.
 */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flatten(errors).map((f) =>
        f.message.startsWith('property ') && f.message.endsWith(' should not exist') ? { field: f.field, message: `unknown field "${f.field}"` } : f,
      );
      return new BadRequestException({
        statusCode: 400,
        error: 'validation_failed',
        message: fields.map((f) => f.message).join('; '),
        fields,
      });
    },
  });
}
