import { isIP } from 'node:net';
import { classifyAddress, describeKind } from './ip-address';

/** What a callback URL may point at (from WEBHOOK_ALLOWED_HOSTS / WEBHOOK_ALLOW_HTTP). */
export interface CallbackUrlPolicy {
  /** Normalised hosts (see normaliseHost) exempt from the address rules; http is accepted for them. */
  allowedHosts: readonly string[];
  /** Accept http:// for every host, not only allow-listed ones. */
  allowHttp: boolean;
}

export const MAX_CALLBACK_URL_LENGTH = 2048;

export type CallbackUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Names that always mean "this machine" or a metadata service, whatever DNS says. */
const BLOCKED_NAMES = new Set(['localhost', 'metadata.google.internal', 'metadata.goog']);

/**
 * Lower-case, no trailing dot, no IPv6 brackets, IPv4/IPv6 in the WHATWG canonical form, so that
 * `0x7f.1`, `127.1` and `127.0.0.1` (or `::FFFF:127.0.0.1` and `::ffff:7f00:1`) compare equal.
 */
export function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  while (h.endsWith('.')) h = h.slice(0, -1);
  if (!h) return h;
  try {
    const parsed = new URL(`http://${isIP(h) === 6 ? `[${h}]` : h}/`).hostname;
    h = parsed.replace(/^\[(.*)\]$/, '$1');
    while (h.endsWith('.')) h = h.slice(0, -1);
  } catch {
    /* not a valid host; compare as given */
  }
  return h;
}

export function parseAllowedHosts(raw: string): string[] {
  return raw
    .split(',')
    .map((h) => normaliseHost(h))
    .filter((h) => h.length > 0);
}

export function callbackUrlPolicy(config: { WEBHOOK_ALLOWED_HOSTS: string; WEBHOOK_ALLOW_HTTP: boolean }): CallbackUrlPolicy {
  return { allowedHosts: parseAllowedHosts(config.WEBHOOK_ALLOWED_HOSTS), allowHttp: config.WEBHOOK_ALLOW_HTTP };
}

/** The URL's host, normalised like allow-list entries. */
export function hostOf(url: URL): string {
  return normaliseHost(url.hostname);
}

export function isAllowListed(host: string, policy: CallbackUrlPolicy): boolean {
  return policy.allowedHosts.includes(host);
}

/**
 * Syntactic policy, no network: scheme, length, credentials, and literal addresses (after the
 * WHATWG parser has turned decimal/hex/octal/short IPv4 forms into dotted quads). Host names are
 * checked again against their DNS answers at delivery time (assertDeliverable).
 */
export function validateCallbackUrl(raw: string, policy: CallbackUrlPolicy): CallbackUrlCheck {
  if (typeof raw !== 'string' || raw.length === 0) return { ok: false, reason: 'callback URL is empty' };
  if (raw.length > MAX_CALLBACK_URL_LENGTH) return { ok: false, reason: `callback URL is longer than ${MAX_CALLBACK_URL_LENGTH} characters` };
  // The URL parser silently drops tabs and newlines; a URL that needs that is not one we sign for.
  if (/[\u0000-\u0020\u007f]/.test(raw)) return { ok: false, reason: 'callback URL must not contain whitespace or control characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'callback URL is not a valid absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'callback URL must use https' };
  if (url.username || url.password) return { ok: false, reason: 'callback URL must not contain credentials' };
  // Port 0 is no port: nothing listens there, and some stacks connect it to an arbitrary one.
  if (url.port === '0') return { ok: false, reason: 'callback URL port must be 1-65535' };
  const host = hostOf(url);
  if (!host) return { ok: false, reason: 'callback URL has no host' };
  const allowListed = isAllowListed(host, policy);
  if (url.protocol === 'http:' && !policy.allowHttp && !allowListed) return { ok: false, reason: 'callback URL must use https' };
  if (allowListed) return { ok: true, url };
  if (host === 'localhost' || host.endsWith('.localhost') || BLOCKED_NAMES.has(host)) {
    return { ok: false, reason: `callback URL host ${host} is not allowed` };
  }
  const blocked = blockedAddressReason(host, host);
  return blocked ? { ok: false, reason: blocked } : { ok: true, url };
}

/** Why `address` may not be reached (null when it is public or not an IP literal). */
export function blockedAddressReason(address: string, host: string): string | null {
  const c = classifyAddress(address);
  if (!c || c.kind === 'public') return null;
  const via = c.embeddedIpv4 ? ` (embeds ${c.embeddedIpv4})` : '';
  return address === host
    ? `callback URL host ${host} is ${describeKind(c.kind)}${via}`
    : `callback URL host ${host} resolves to ${address}, ${describeKind(c.kind)}${via}`;
}
