/** Keyset cursor of the list endpoint: base64url JSON of the last row's (createdAt, id). */
export function encodeCursor(r: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ c: r.createdAt.toISOString(), i: r.id })).toString('base64url');
}

export class InvalidCursorError extends Error {}

/** Exactly what toISOString() writes (PostgreSQL accepts it; Date.parse alone accepts far more, e.g. "1"). */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * Only a cursor this API issued decodes: anything else is a 400 naming `cursor`, never a value
 * that PostgreSQL would have to cast (and fail on).
 */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    if (typeof cursor !== 'string' || !BASE64URL.test(cursor)) throw new Error('encoding');
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown } | null;
    if (!v || typeof v !== 'object') throw new Error('shape');
    if (typeof v.c !== 'string' || !ISO_INSTANT.test(v.c) || new Date(v.c).toISOString() !== v.c) throw new Error('c');
    if (typeof v.i !== 'string' || !UUID.test(v.i)) throw new Error('i');
    return { createdAt: v.c, id: v.i };
  } catch {
    throw new InvalidCursorError('cursor is not one this API issued');
  }
}
