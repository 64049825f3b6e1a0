import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ChannelThrottledError } from './channel-errors';

/**
 * A shared budget of channel API calls per second across every worker process (DESIGN §5),
 * kept in Redis. A call over budget is not waited for: the caller gets a throttled error
 * and its step reschedules itself.
 */
export class ChannelBudget {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, keyPrefix: string, callsPerSecond: number) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:channel-budget`,
      points: callsPerSecond,
      duration: 1,
    });
  }

  async take(channel: string, region: string): Promise<void> {
    try {
      await this.limiter.consume(`${channel}:${region}`, 1);
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        throw new ChannelThrottledError('shared channel call budget exhausted', Math.max(50, err.msBeforeNext));
      }
      throw err;
    }
  }
}
