import { SsmError } from './ssm-error';

/** Opaque NextToken: base64 of the offset plus a fingerprint of the query it belongs to. */
export function paginate<T>(items: T[], maxResults: number, nextToken: string | undefined, query: string): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (nextToken !== undefined) {
    offset = decodeToken(nextToken, query);
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextToken: encodeToken(next, query) } : { page };
}

function encodeToken(offset: number, query: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: query })).toString('base64');
}

function decodeToken(token: string, query: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o?: unknown; q?: unknown };
    if (typeof parsed.o === 'number' && Number.isInteger(parsed.o) && parsed.o >= 0 && parsed.q === query) return parsed.o;
  } catch {
    // fall through to the service's error
  }
  throw new SsmError('InvalidNextToken', 'The specified token isn\'t valid.');
}
