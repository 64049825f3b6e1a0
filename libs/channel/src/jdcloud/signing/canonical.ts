/**
 * Canonical request pieces of JD Cloud's request signing (jdcloud-assistant.md §5.2, §5.3).
 * Pure string functions; no clock, no randomness.
 */

/** RFC 3986 encoding: only A-Z a-z 0-9 - _ . ~ stay as they are (`!'()*` too are encoded). */
export function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Percent-decoding that leaves a malformed escape as it is (instead of throwing). */
export function lenientDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%[0-9A-Fa-f]{2}/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

export type SigningVersion = 2 | 3;

/**
 * CanonicalURI. JDCLOUD2 (GO EscapePath): each segment encoded, `/` kept; empty → `/`.
 * JDCLOUD3 (NSIGN, PY): decode (`+` is a space), collapse repeated `/`, then encode each segment.
 */
export function canonicalUri(path: string, version: SigningVersion): string {
  if (path === '') return '/';
  if (version === 2) return path.split('/').map(rfc3986).join('/') || '/';
  const decoded = lenientDecode(path.replace(/\+/g, ' '));
  const collapsed = ('/' + decoded).replace(/\/{2,}/g, '/');
  return collapsed.split('/').map(rfc3986).join('/') || '/';
}

/**
 * CanonicalQuery: `k=v` pairs decoded then RFC 3986-encoded, sorted by key then value, joined
 * by `&`. JDCLOUD3 drops pairs with an empty key. `query` is the raw text after `?`.
 */
export function canonicalQuery(query: string, version: SigningVersion): string {
  if (!query) return '';
  const pairs: [string, string][] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const key = lenientDecode(rawKey.replace(/\+/g, ' '));
    const value = lenientDecode(rawValue.replace(/\+/g, ' '));
    if (version === 3 && key === '') continue;
    pairs.push([rfc3986(key), rfc3986(value)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** A header value as signed: trimmed; JDCLOUD2 (GO) also collapses runs of spaces. */
export function canonicalHeaderValue(value: string, version: SigningVersion): string {
  const trimmed = value.trim();
  return version === 2 ? trimmed.replace(/ {2,}/g, ' ') : trimmed;
}
