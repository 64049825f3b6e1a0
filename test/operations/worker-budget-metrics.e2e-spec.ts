import Redis from 'ioredis';
import { ChannelBudget } from '@rdpfix/channel';
import { REDIS_URL, Stack } from '../support/stack';
import { seriesValue } from './support/prom-text';

/**
 * The worker's /metrics shows the shared channel call budget per region (issue 10: "show its
 * effective rate"): the limit, and the effective rate read from the bucket every worker shares,
 * halved when a provider throttles.
 */
describe('worker metrics: channel call budget', () => {
  let stack: Stack;
  let redis: Redis;
  beforeAll(async () => {
    stack = await Stack.start({ config: { REGIONS: 'eu-west-1,us-east-1', CHANNEL_CALLS_PER_SECOND: 40 } });
    redis = new Redis(REDIS_URL);
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${stack.workerUrl}/metrics`);
    expect(res.status).toBe(200);
    return res.text();
  };

  it('shows limit and effective rate per region, and the halving after a provider throttle', async () => {
    const fresh = await scrape();
    for (const region of ['eu-west-1', 'us-east-1']) {
      expect(seriesValue(fresh, 'rdpfix_channel_budget_limit_calls_per_second', { channel: 'ssm', region })).toBe(40);
      expect(seriesValue(fresh, 'rdpfix_channel_budget_effective_calls_per_second', { channel: 'ssm', region })).toBe(40);
    }
    await new ChannelBudget(redis, stack.prefix, 40).throttled('ssm', 'us-east-1');
    const after = await scrape();
    expect(seriesValue(after, 'rdpfix_channel_budget_effective_calls_per_second', { channel: 'ssm', region: 'us-east-1' })).toBe(20);
    expect(seriesValue(after, 'rdpfix_channel_budget_effective_calls_per_second', { channel: 'ssm', region: 'eu-west-1' })).toBe(40);
  });
});
