import { createHash, randomBytes, timingSafeEqual } from 'crypto';

/**
 * The API key format, in one place (the service, the CLI, log redaction and the tests all use it):
 *
 *   rdpfix_<prefix>_<secret>
 *
 * - `prefix`: 12 characters `[a-z0-9]`, stored in clear and shown in key listings; it names the key.
 * - `secret`: 43 characters of base64url (32 random bytes), alphabet `[A-Za-z0-9_-]`. It MAY contain
 *   `_` (and `-`), so never split a key on `_`: use parseApiKey. Only its SHA-256 is stored.
 */
export const API_KEY_PREFIX_LENGTH = 12;
export const API_KEY_SECRET_LENGTH = 43;
export const API_KEY_PATTERN = /^rdpfix_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  prefix: string;
  secret: string;
}

/** A new key: `rdpfix_<12 char prefix>_<32 random bytes, base64url>`. */
export function generateApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, API_KEY_PREFIX_LENGTH);
  const secret = randomBytes(32).toString('base64url');
  return { key: formatApiKey({ prefix, secret }), prefix, secretHash: hashSecret(secret) };
}

export function formatApiKey(k: ParsedApiKey): string {
  return `rdpfix_${k.prefix}_${k.secret}`;
}

/** 256 bits of randomness need no slow hash: SHA-256 is enough and keeps auth cheap. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The prefix and secret of a presented key, or null when it is not in the format above. */
export function parseApiKey(key: string): ParsedApiKey | null {
  if (typeof key !== 'string') return null;
  const m = API_KEY_PATTERN.exec(key);
  return m ? { prefix: m[1], secret: m[2] } : null;
}

export function secretMatches(secret: string, expectedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(expectedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A Standard Webhooks signing secret. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}
