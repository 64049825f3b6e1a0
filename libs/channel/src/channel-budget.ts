import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ChannelThrottledError } from './channel-errors';

/** How long to wait before asking again when the budget store could not be asked. */
const STORE_DOWN_RETRY_MS = 1000;

/**
 * A shared budget of channel API calls per second across every worker process (DESIGN §5),
 * kept in Redis. A call over budget is not waited for: the caller gets a throttled error
 * and its step reschedules itself.
 *
 * Asking the budget is itself bounded (issue 8, defect 7): while Redis is down or slow the
 * answer is "throttled, come back later" after at most `maxWaitMs` (at once when the client
 * knows it is disconnected), so a Redis outage never holds a worker slot. A timer, not a loop:
 * no CPU is spent waiting.
 */
export class ChannelBudget {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
    callsPerSecond: number,
    private readonly maxWaitMs = 2000,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${keyPrefix}:channel-budget`,
      points: callsPerSecond,
      duration: 1,
    });
  }

  async take(channel: string, region: string): Promise<void> {
    if (this.redis.status !== 'ready') throw storeDown(`Redis is ${this.redis.status}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(storeDown(`no answer within ${this.maxWaitMs} ms`)), this.maxWaitMs);
    });
    try {
      await Promise.race([this.limiter.consume(`${channel}:${region}`, 1), timeout]);
    } catch (err) {
      if (err instanceof ChannelThrottledError) throw err;
      if (err instanceof RateLimiterRes) {
        throw new ChannelThrottledError('shared channel call budget exhausted', Math.max(50, err.msBeforeNext));
      }
      throw storeDown((err as Error).message);
    } finally {
      clearTimeout(timer);
    }
  }
}

function storeDown(why: string): ChannelThrottledError {
  return new ChannelThrottledError(`the shared channel call budget could not be asked (${why}); the step reschedules`, STORE_DOWN_RETRY_MS);
}
