import fc from 'fast-check';
import { requestHash } from './idempotency.service';
import { API_KEY_PATTERN, formatApiKey, generateApiKey, hashSecret, parseApiKey, secretMatches } from './key-format';

const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'.split(''));
const prefixChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));

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

  it('parses secrets that contain "_" and "-" whole (splitting on "_" would not)', () => {
    fc.assert(
      fc.property(fc.string({ unit: prefixChar, minLength: 12, maxLength: 12 }), fc.string({ unit: base64url, minLength: 43, maxLength: 43 }), (prefix, secret) => {
        const key = formatApiKey({ prefix, secret });
        expect(API_KEY_PATTERN.test(key)).toBe(true);
        expect(parseApiKey(key)).toEqual({ prefix, secret });
      }),
      { seed: 9, numRuns: 500 },
    );
    // The flaky callers test split on "_": a secret with "_" in it is the counter-example.
    const key = formatApiKey({ prefix: 'abcdefghijkl', secret: `ab_cd${'x'.repeat(38)}` });
    expect(key.split('_')[2]).not.toBe(parseApiKey(key)!.secret);
  });

  it('generated secrets do contain "_" at times (so the above matters)', () => {
    let withUnderscore = 0;
    for (let i = 0; i < 400; i++) if (parseApiKey(generateApiKey().key)!.secret.includes('_')) withUnderscore++;
    expect(withUnderscore).toBeGreaterThan(0);
  });

  it.each(['', 'Bearer x', 'rdpfix_short_abc', `rdpfix_${'a'.repeat(12)}_${'b'.repeat(42)}`, `other_${'a'.repeat(12)}_${'b'.repeat(43)}`, `rdpfix_${'A'.repeat(12)}_${'b'.repeat(43)}`])(
    'rejects malformed %p',
    (k) => {
      expect(parseApiKey(k)).toBeNull();
    },
  );
});

describe('requestHash', () => {
  it('ignores key order and distinguishes values', () => {
    expect(requestHash({ a: 1, b: { c: 2, d: 3 } })).toBe(requestHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }));
  });
});
