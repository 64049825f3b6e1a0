import fc from 'fast-check';
import { redactHeaders, redactLogLine, redactRequestLog, redactText, REDACTED } from './redaction';

const SECRET = 'Ab_c-DEF0123456789_abcdefghijklmnopqrstuvwx'; // 43 chars, with "_" and "-"
const KEY = `rdpfix_abcdefghijkl_${SECRET}`;

describe('redaction', () => {
  it.each([
    ['a key in a path', `/v1/remediations/${KEY}/cancel`],
    ['a key in a query value', `/v1/remediations?cursor=${KEY}`],
    ['a key percent-encoded', `/x/${encodeURIComponent(KEY).replace(/_/g, '%5F')}`],
    ['a key in free text', `failed for ${KEY}.`],
    ['a bearer token', `Authorization: Bearer ${KEY}`],
    ['an api_key parameter of any shape', `/v1/remediations?api_key=${SECRET}&limit=1`],
    ['a token parameter', `/hook?limit=2&access_token=${SECRET}#frag`],
    ['an AWS signature parameter', `/?X-Amz-Signature=${SECRET}&X-Amz-Credential=${SECRET}`],
    ['a webhook secret', `secret is whsec_${SECRET}==`],
    ['user info in a URL', `postgres://rdpfix:${SECRET}@db:5432/rdpfix`],
  ])('removes %s', (_n, text) => {
    const out = redactText(text);
    expect(out).not.toContain(SECRET);
    expect(out).toContain(REDACTED);
  });

  it('keeps what is not secret (the key prefix, other parameters, ordinary text)', () => {
    expect(redactText(`/v1/remediations/${KEY}?limit=5`)).toBe(`/v1/remediations/rdpfix_abcdefghijkl_${REDACTED}?limit=5`);
    expect(redactText('/v1/remediations?instanceId=i-0123456789abcdef0&state=queued')).toBe('/v1/remediations?instanceId=i-0123456789abcdef0&state=queued');
  });

  it('redacts every header whose name suggests a credential, whatever its value', () => {
    const h = redactHeaders({
      authorization: 'x',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
      'x-api-key': 'anything-at-all',
      'x-auth-token': 'a',
      'x-amz-security-token': 'b',
      cookie: 'sid=1',
      'idempotency-key': 'ticket-1',
      'x-client-secret': 'c',
      'user-agent': `curl with ${KEY}`,
      accept: 'application/json',
    })!;
    for (const name of ['authorization', 'proxy-authorization', 'x-api-key', 'x-auth-token', 'x-amz-security-token', 'cookie', 'idempotency-key', 'x-client-secret']) expect(h[name]).toBe(REDACTED);
    expect(h['user-agent']).not.toContain(SECRET);
    expect(h.accept).toBe('application/json');
  });

  it('redacts the request pino-http logs: url, headers, query and params', () => {
    const out = redactRequestLog({ method: 'GET', url: `/v1/x/${KEY}?token=${SECRET}`, headers: { 'x-api-key': KEY }, query: { api_key: SECRET }, params: { id: KEY } });
    expect(JSON.stringify(out)).not.toContain(SECRET);
  });

  it('redacts JSON log lines by field name and by shape', () => {
    const line = JSON.stringify({ msg: `bad key ${KEY}`, webhookSecret: 'whsec_abc', key: SECRET, apiKey: SECRET, nested: { password: SECRET, instanceId: 'i-0123456789abcdef0' }, actor: { keyId: 'k-1' } });
    const out = redactLogLine(line);
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain('whsec_abc');
    const parsed = JSON.parse(out);
    expect(parsed.nested.instanceId).toBe('i-0123456789abcdef0');
    expect(parsed.actor.keyId).toBe('k-1');
  });

  it('never lets a generated key through, wherever it sits in a text (property)', () => {
    const b64 = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'.split(''));
    const pre = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'.split(''));
    fc.assert(
      fc.property(fc.string(), fc.string({ unit: pre, minLength: 12, maxLength: 12 }), fc.string({ unit: b64, minLength: 43, maxLength: 43 }), fc.string(), (before, prefix, secret, after) => {
        const out = redactLogLine(`${before}rdpfix_${prefix}_${secret}${after}`);
        // The secret may only survive as part of the surrounding random text, never whole.
        if (!`${before}${after}`.includes(secret)) expect(out).not.toContain(secret);
      }),
      { seed: 5, numRuns: 1000 },
    );
  });
});
