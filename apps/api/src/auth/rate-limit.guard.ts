import { CanActivate, ExecutionContext, HttpException, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '@rdpfix/config';
import type { Principal } from '@rdpfix/domain';
import { redisOptionsFromUrl } from '@rdpfix/queue';

export const RATE_LIMIT_REDIS = Symbol('RATE_LIMIT_REDIS');

/**
 * Fairness: a token bucket per API key in Redis (shared by every API replica). Over the limit
 * the caller gets 429 with Retry-After. If Redis is unreachable the request is let through:
 * an outage of the limiter must not become an outage of the API.
 */
@Injectable()
export class RateLimitGuard implements CanActivate, OnApplicationShutdown {
  private readonly limiters = new Map<number, RateLimiterRedis>();

  constructor(
    private readonly config: AppConfig,
    @Inject(RATE_LIMIT_REDIS) private readonly redis: Redis,
  ) {}

  private limiter(points: number): RateLimiterRedis {
    let l = this.limiters.get(points);
    if (!l) {
      l = new RateLimiterRedis({ storeClient: this.redis, keyPrefix: `${this.config.QUEUE_PREFIX}:ratelimit:${points}`, points, duration: 1 });
      this.limiters.set(points, l);
    }
    return l;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const p = req.principal;
    if (!p) return true; // public route
    const points = p.rateLimitPerSecond ?? this.config.RATE_LIMIT_PER_SECOND;
    const res = ctx.switchToHttp().getResponse<Response>();
    try {
      const r = await this.limiter(points).consume(p.keyId, 1);
      res.setHeader('RateLimit-Limit', String(points));
      res.setHeader('RateLimit-Remaining', String(r.remainingPoints));
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        res.setHeader('Retry-After', String(retryAfter));
        res.setHeader('RateLimit-Limit', String(points));
        res.setHeader('RateLimit-Remaining', '0');
        throw new HttpException({ statusCode: 429, error: 'rate_limited', message: `more than ${points} requests per second for this API key; retry after ${retryAfter}s` }, 429);
      }
      return true;
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

export const rateLimitRedisProvider = {
  provide: RATE_LIMIT_REDIS,
  inject: [AppConfig],
  useFactory: (c: AppConfig) => {
    const r = new Redis(redisOptionsFromUrl(c.REDIS_URL, 'producer'));
    r.on('error', () => undefined);
    return r;
  },
};
