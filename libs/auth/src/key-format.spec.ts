import { requestHash } from './idempotency.service';
import { generateApiKey, hashSecret, parseApiKey, secretMatches } from './key-format';

describe('API key format', () => {
  it('generates keys that parse back and verify against the stored hash only', () => {
    const { key, prefix, secretHash } = generateApiKey();
    const parsed = parseApiKey(key)!;
    expect(parsed.prefix).toBe(prefix);
    expect(secretHash).toBe(hashSecret(parsed.secret));
    expect(secretHash).not.toContain(parsed.secret);
    expect(secretMatches(parsed.secret, secretHash)).toBe(true);
    expect(secretMatches(parsed.secret + 'x', secretHash)).toBe(false);
  });
  it.each(['', 'Bearer x', 'rdpfix_short_abc', `rdpfix_${'a'.repeat(12)}_${'b'.repeat(42)}`, `other_${'a'.repeat(12)}_${'b'.repeat(43)}`])('rejects malformed %p', (k) => {
    expect(parseApiKey(k)).toBeNull();
  });
});

describe('requestHash', () => {
  it('ignores key order and distinguishes values', () => {
    expect(requestHash({ a: 1, b: { c: 2, d: 3 } })).toBe(requestHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });
});
