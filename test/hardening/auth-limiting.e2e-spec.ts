import { randomBytes } from 'crypto';
import { DataSource } from 'typeorm';
import { formatApiKey } from '@rdpfix/auth';
import { ApiKeyEntity } from '@rdpfix/persistence';
import { Stack } from '../support/stack';
import { expectErrorShape } from './support/error-shape';

/**
 * Issue 9 §4: failed authentication is limited per client address (429 + Retry-After beyond
 * AUTH_FAILURES_PER_MINUTE), and unknown keys are cached negatively, so a guess costs at most one
 * database query: the lookups are counted with a spy on the key repository.
 */
describe('failed authentication: per-address limit and negative cache', () => {
  const LIMIT = 5;
  let stack: Stack;
  let lookups: jest.SpyInstance;

  beforeAll(async () => {
    // X-Forwarded-For from loopback is trusted, so each test can be a different client address.
    stack = await Stack.start({ worker: 'none', config: { AUTH_FAILURES_PER_MINUTE: LIMIT, API_TRUST_PROXY: 'loopback' } });
    lookups = jest.spyOn(stack['api']!.get(DataSource).getRepository(ApiKeyEntity), 'findOne');
  });
  afterAll(async () => {
    lookups.mockRestore();
    await stack.close();
  });

  const guess = () => formatApiKey({ prefix: randomBytes(6).toString('hex'), secret: randomBytes(32).toString('base64url') });
  const from = (address: string, key: string) => stack.http('GET', '/v1/remediations?limit=1', undefined, { authorization: `Bearer ${key}`, 'x-forwarded-for': address });
  const countLookups = async (fn: () => Promise<unknown>) => {
    const before = lookups.mock.calls.length;
    await fn();
    return lookups.mock.calls.length - before;
  };

  it('the same unknown key costs one query, however often it is tried', async () => {
    const key = guess();
    let statuses: number[] = [];
    const queries = await countLookups(async () => {
      for (let i = 0; i < LIMIT; i++) statuses.push((await from('198.51.100.1', key)).status);
    });
    expect(statuses).toEqual(Array(LIMIT).fill(401));
    expect(queries).toBe(1);
    // Over the limit now: refused before any lookup.
    statuses = [];
    const more = await countLookups(async () => {
      for (let i = 0; i < 10; i++) statuses.push((await from('198.51.100.1', key)).status);
    });
    expect(statuses).toEqual(Array(10).fill(429));
    expect(more).toBe(0);
  });

  it('different guesses from one address: LIMIT lookups, then 429 with Retry-After and no lookups at all', async () => {
    const statuses: number[] = [];
    const queries = await countLookups(async () => {
      for (let i = 0; i < LIMIT; i++) statuses.push((await from('198.51.100.2', guess())).status);
    });
    expect(statuses).toEqual(Array(LIMIT).fill(401));
    expect(queries).toBe(LIMIT);

    const after: { status: number; retryAfter: number; body: unknown }[] = [];
    const none = await countLookups(async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, () => from('198.51.100.2', guess())));
      for (const a of answers) after.push({ status: a.status, retryAfter: Number(a.headers.get('retry-after')), body: a.body });
    });
    expect(none).toBe(0);
    for (const a of after) {
      expect(a.status).toBe(429);
      expect(a.retryAfter).toBeGreaterThanOrEqual(1);
      expect(a.retryAfter).toBeLessThanOrEqual(60);
      expectErrorShape(a.body, 429);
      expect((a.body as { error: string }).error).toBe('too_many_auth_failures');
    }
  });

  it('a blocked address keeps using a key it already had verified; a key it has not is refused unseen', async () => {
    const good = (await stack.createKey('support')).key;
    expect((await from('198.51.100.3', good)).status).toBe(200); // verified, now cached
    for (let i = 0; i < LIMIT + 1; i++) await from('198.51.100.3', guess());
    expect((await from('198.51.100.3', guess())).status).toBe(429);
    expect((await from('198.51.100.3', good)).status).toBe(200);
    const fresh = (await stack.createKey('support')).key;
    expect((await from('198.51.100.3', fresh)).status).toBe(429);
  });

  it('other addresses are not affected; a missing key is a 401 that does not count', async () => {
    for (let i = 0; i < LIMIT * 3; i++) {
      const res = await stack.http('GET', '/v1/remediations', undefined, { authorization: '', 'x-forwarded-for': '198.51.100.4' });
      expect(res.status).toBe(401);
    }
    expect((await from('198.51.100.4', guess())).status).toBe(401);
    expect((await from('198.51.100.5', stack.adminKey)).status).toBe(200);
  });
});
