import { BadRequestException, ParseUUIDPipe } from '@nestjs/common';

/** `:id` path parameters: a malformed id is a 400 naming the field, not a 500 from Postgres. */
export const uuidParam = new ParseUUIDPipe({
  exceptionFactory: () =>
    new BadRequestException({ statusCode: 400, error: 'validation_failed', message: 'id must be a UUID', fields: [{ field: 'id', message: 'id must be a UUID' }] }),
});
