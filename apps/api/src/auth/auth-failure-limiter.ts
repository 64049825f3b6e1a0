import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '@rdpfix/config';
import { RATE_LIMIT_REDIS } from './rate-limit.guard';

const WINDOW_S = 60;

/**
 * Failed authentications per client address (AUTH_FAILURES_PER_MINUTE), counted in Redis so
 * every API replica shares them; an in-memory counter stands in while Redis is away. Once an
 * address is over the limit, keys it presents that this process has not already verified are
 * answered 429 without being looked up: guessing costs the guesser time, not us queries.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly config: AppConfig,
    @Inject(RATE_LIMIT_REDIS) redis: Redis,
  ) {
    const points = config.AUTH_FAILURES_PER_MINUTE;
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${config.QUEUE_PREFIX}:authfail`,
      points,
      duration: WINDOW_S,
      insuranceLimiter: new RateLimiterMemory({ points, duration: WINDOW_S }),
    });
  }

  /** Milliseconds until the address may try unverified keys again; 0 when it may now. */
  async blockedForMs(address: string): Promise<number> {
    try {
      const res = await this.limiter.get(address);
      return res && res.consumedPoints >= this.config.AUTH_FAILURES_PER_MINUTE ? Math.max(1, res.msBeforeNext) : 0;
    } catch {
      // The counter cannot be read (Redis down and no insurance answer): do not lock everyone out.
      return 0;
    }
  }

  /** Counts one failure; returns the block in ms when this failure went over the limit, else 0. */
  async fail(address: string): Promise<number> {
    try {
      await this.limiter.consume(address, 1);
      return 0;
    } catch (err) {
      return err instanceof RateLimiterRes ? Math.max(1, err.msBeforeNext) : 0;
    }
  }
}
