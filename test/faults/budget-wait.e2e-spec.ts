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
  let commandsSent = 0;

  beforeAll(async () => {
    proxy = await TcpProxy.start(REDIS_URL);
    // The worker's client settings: commands queue while disconnected (the old unbounded wait).
    redis = new Redis(redisOptionsFromUrl(proxy.urlFor(REDIS_URL), 'worker'));
    redis.on('error', () => undefined);
    // Count what the client sends: a wait that spins or polls would send command after command.
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = ((cmd: Parameters<Redis['sendCommand']>[0], ...rest: unknown[]) => {
      commandsSent += 1;
      return (send as (...a: unknown[]) => unknown)(cmd, ...rest);
    }) as Redis['sendCommand'];
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
    const sent0 = commandsSent;
    const err = await budget.take('ssm', 'eu-west-1').then(
      () => null,
      (e: unknown) => e,
    );
    return { err, ms: Date.now() - t0, commands: commandsSent - sent0 };
  };

  it('answers normally while Redis is there', async () => {
    expect((await timed()).err).toBeNull();
  });

  it('Redis hung (connection open, no answer): throttled after the bounded wait, without spinning', async () => {
    proxy.stall();
    const { err, ms, commands } = await timed();
    proxy.restore();
    expect(err).toBeInstanceOf(ChannelThrottledError);
    expect((err as ChannelThrottledError).retryAfterMs).toBeGreaterThan(0);
    expect(ms).toBeGreaterThanOrEqual(MAX_WAIT - 20);
    expect(ms).toBeLessThan(MAX_WAIT + 3000);
    // One take is one script call (two if the script must be loaded first): no retry loop while waiting.
    expect(commands).toBeGreaterThanOrEqual(1);
    expect(commands).toBeLessThanOrEqual(2);
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
