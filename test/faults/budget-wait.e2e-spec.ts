import Redis from 'ioredis';
import { randomBytes } from 'crypto';
import { ChannelBudget, ChannelThrottledError } from '@rdpfix/channel';
import { redisOptionsFromUrl } from '@rdpfix/queue';
import { REDIS_URL } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { until } from './support/seeded';

/**
 * Issue 8, defect 7 (budget part): asking the shared channel-call budget waits at most
 * CHANNEL_BUDGET_WAIT_MS, whatever Redis does, and answers "throttled, come back later" so the
 * step reschedules instead of holding its worker slot. Redis is cut or hung through a proxy.
 */
describe('the channel budget never holds a slot', () => {
  let proxy: TcpProxy;
  let redis: Redis;
  let budget: ChannelBudget;
  const MAX_WAIT = 400;

  beforeAll(async () => {
    proxy = await TcpProxy.start(REDIS_URL);
    // The worker's client settings: commands queue while disconnected (the old unbounded wait).
    redis = new Redis(redisOptionsFromUrl(proxy.urlFor(REDIS_URL), 'worker'));
    redis.on('error', () => undefined);
    budget = new ChannelBudget(redis, `rdpfix-t-budget-${randomBytes(3).toString('hex')}`, 1000, MAX_WAIT);
    await until('redis ready', async () => redis.status === 'ready', 10_000);
  });
  afterAll(async () => {
    proxy.restore();
    redis.disconnect();
    await proxy.stop();
  });

  const timed = async () => {
    const t0 = Date.now();
    const cpu0 = process.cpuUsage();
    const err = await budget.take('ssm', 'eu-west-1').then(
      () => null,
      (e: unknown) => e,
    );
    const cpu = process.cpuUsage(cpu0);
    return { err, ms: Date.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
  };

  it('answers normally while Redis is there', async () => {
    expect((await timed()).err).toBeNull();
  });

  it('Redis hung (connection open, no answer): throttled after the bounded wait, at almost no CPU', async () => {
    proxy.stall();
    const { err, ms, cpuMs } = await timed();
    proxy.restore();
    expect(err).toBeInstanceOf(ChannelThrottledError);
    expect((err as ChannelThrottledError).retryAfterMs).toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(MAX_WAIT - 20);
    expect(ms).toBeLessThan(MAX_WAIT + 3000);
    expect(cpuMs).toBeLessThan(MAX_WAIT / 2);
  });

  it('Redis cut: throttled at once (the client knows it is disconnected), and fine again once Redis is back', async () => {
    proxy.cut();
    await until('the client to notice', async () => redis.status !== 'ready', 10_000, 20);
    const { err, ms } = await timed();
    expect(err).toBeInstanceOf(ChannelThrottledError);
    expect(ms).toBeLessThan(MAX_WAIT + 3000);
    proxy.restore();
    await until('the client to reconnect', async () => redis.status === 'ready', 30_000, 50);
    expect((await timed()).err).toBeNull();
  });
});
