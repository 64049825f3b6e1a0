import { createHash, randomBytes, timingSafeEqual } from 'crypto';

const KEY_PATTERN = /^rdpfix_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** A new key: `rdpfix_<12 char prefix>_<32 random bytes, base64url>`. */
export function generateApiKey(): { key: string; prefix: string; secretHash: string } {
  const prefix = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const secret = randomBytes(32).toString('base64url');
  return { key: `rdpfix_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

/** 256 bits of randomness need no slow hash: SHA-256 is enough and keeps auth cheap. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function parseApiKey(key: string): { prefix: string; secret: string } | null {
  const m = KEY_PATTERN.exec(key);
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
