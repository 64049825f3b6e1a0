import { BadRequestException } from '@nestjs/common';

/** timeline_events.id is a bigint: 1 .. 2^63-1. */
const MAX_EVENT_ID = 9223372036854775807n;

function check(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[1-9]\d{0,18}$/.test(value) || BigInt(value) > MAX_EVENT_ID) {
    throw new BadRequestException({
      statusCode: 400,
      error: 'validation_failed',
      message: `${field} must be a positive integer (the id of an event already received)`,
      fields: [{ field, message: 'must be a positive integer' }],
    });
  }
  return value;
}

/**
 * Where a stream resumes: after the `Last-Event-ID` header (what a reconnecting EventSource
 * sends, so it wins) or else `?lastEventId=` (for clients that cannot set headers). Both are
 * validated when present; an empty header counts as absent, as EventSource never sends one.
 */
export function parseLastEventId(header: unknown, query: unknown): string | undefined {
  const fromQuery = query === undefined ? undefined : check(query, 'lastEventId');
  const h = typeof header === 'string' ? header.trim() : header;
  if (h !== undefined && h !== '') return check(h, 'Last-Event-ID');
  return fromQuery;
}
