import { randomBytes } from 'crypto';
import Redis from 'ioredis';
import { ChannelBudget, ChannelThrottledError, withBudgetPriority } from '@rdpfix/channel';
import { REDIS_URL } from '../support/stack';

/**
 * Issue 10 §2: one budget, shared fairly, on real Redis. Strict priorities (single fixes, result
 * reads, sends, instance information), backoff on throttling with a visible effective rate, and
 * a refusal that says when to come back (the caller's job waits in the delayed set: no spinning).
 */
describe('channel budget priorities', () => {
  let redis: Redis;
  let prefix: string;

  beforeAll(async () => {
    redis = new Redis(REDIS_URL);
    await new Promise((r) => redis.once('ready', r));
  });
  beforeEach(() => {
    prefix = `rdpfix-t-budget-${randomBytes(4).toString('hex')}`;
  });
  afterAll(async () => {
    const keys = await redis.keys('rdpfix-t-budget-*');
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  const refusal = async (p: Promise<unknown>): Promise<ChannelThrottledError | null> => {
    try {
      await p;
      return null;
    } catch (err) {
      if (err instanceof ChannelThrottledError) return err;
      throw err;
    }
  };

  /** Takes until refused (at most 50): how many were granted, over how long, and the refusal. */
  const drain = async (b: ChannelBudget, region: string, kind: Parameters<ChannelBudget['take']>[2]) => {
    const t0 = Date.now();
    for (let granted = 0; granted < 50; granted++) {
      const r = await refusal(b.take('ssm', region, kind));
      if (r) return { granted, ms: Date.now() - t0, refusal: r };
    }
    throw new Error('50 calls granted in a row at 10/s');
  };

  it('grants the rate, then refuses with a retry time', async () => {
    // Tokens come back while the test takes them (one per 100 ms): on a loaded machine more than
    // 10 may be granted, never more than 10 plus what came back meanwhile.
    const b = new ChannelBudget(redis, prefix, 10);
    const { granted, ms, refusal: r } = await drain(b, 'eu-west-1', 'send');
    expect(granted).toBeGreaterThanOrEqual(10);
    expect(granted).toBeLessThanOrEqual(10 + Math.ceil(ms / 100) + 1);
    expect(r.retryAfterMs).toBeGreaterThan(0);
    expect(r.retryAfterMs).toBeLessThan(2000);
  });

  it('a refused single fix holds back sends and instance information until it got its call', async () => {
    // Under heavy machine load the test itself may stall past a token's return or the claim's
    // hold; such a round is measured and played again (up to 5 times) rather than asserted on.
    for (let round = 0; round < 5; round++) {
      const b = new ChannelBudget(redis, `${prefix}-${round}`, 10);
      await drain(b, 'eu-west-1', 'info');
      const t0 = Date.now();
      const single = await refusal(withBudgetPriority('single', () => b.take('ssm', 'eu-west-1')));
      if (!single) continue; // a token came back between the drain and this call
      // A token comes back after 100 ms; wait until the single fix's retry time.
      await new Promise((r) => setTimeout(r, single.retryAfterMs + 20));
      const send = await refusal(b.take('ssm', 'eu-west-1', 'send'));
      const info = await refusal(b.take('ssm', 'eu-west-1', 'info'));
      if (Date.now() - t0 > single.retryAfterMs + 200) continue;
      // Lower priorities asking first are refused: the token is the single fix's.
      expect(send).not.toBeNull();
      expect(info).not.toBeNull();
      await b.take('ssm', 'eu-west-1', 'single');
      // Other regions have their own bucket.
      await b.take('ssm', 'eu-central-1', 'info');
      return;
    }
    throw new Error('the machine was too loaded for 5 rounds in a row');
  });

  it('result reads go before sends, sends before instance information', async () => {
    for (let round = 0; round < 5; round++) {
      const b = new ChannelBudget(redis, `${prefix}-${round}`, 10);
      await drain(b, 'r1', 'info');
      const t0 = Date.now();
      const read = await refusal(b.take('ssm', 'r1', 'read'));
      const send = await refusal(b.take('ssm', 'r1', 'send'));
      if (!read || !send) continue; // a token came back meanwhile (a loaded machine)
      // The lower priority is told to come back later than the higher one.
      expect(send.retryAfterMs).toBeGreaterThan(read.retryAfterMs);
      await new Promise((r) => setTimeout(r, read.retryAfterMs + 20));
      const info = await refusal(b.take('ssm', 'r1', 'info'));
      if (Date.now() - t0 > read.retryAfterMs + 200) continue;
      expect(info).not.toBeNull();
      await b.take('ssm', 'r1', 'read');
      return;
    }
    throw new Error('the machine was too loaded for 5 rounds in a row');
  });

  it('backs off on throttling and shows its effective rate, then recovers', async () => {
    const b = new ChannelBudget(redis, prefix, 40);
    expect(await b.effectiveRate('ssm', 'r2')).toBe(40);
    await b.take('ssm', 'r2', 'single');
    await b.throttled('ssm', 'r2');
    expect(await b.effectiveRate('ssm', 'r2')).toBe(20);
    // At most one cut a second.
    await b.throttled('ssm', 'r2');
    expect(await b.effectiveRate('ssm', 'r2')).toBe(20);
    // Granted calls give the rate back, 1 % of the maximum each.
    const end = Date.now() + 5000;
    let granted = 0;
    while (Date.now() < end && granted < 10) {
      const r = await refusal(b.take('ssm', 'r2', 'single'));
      if (r) await new Promise((res) => setTimeout(res, r.retryAfterMs));
      else granted += 1;
    }
    expect(granted).toBe(10);
    expect(await b.effectiveRate('ssm', 'r2')).toBeCloseTo(24, 0);
  });
});
