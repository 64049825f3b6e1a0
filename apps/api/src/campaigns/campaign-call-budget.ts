import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { ChannelBudget } from '@rdpfix/channel';
import { AppConfig, parseChannelMap } from '@rdpfix/config';
import { redisOptionsFromUrl } from '@rdpfix/queue';

/** One region's shared channel call budget as an operator sees it. */
export interface RegionCallBudget {
  channel: string;
  /** CHANNEL_CALLS_PER_SECOND: what the budget grants when the provider does not throttle. */
  limit: number;
  /** Calls per second granted now (lower after provider throttling); null when Redis could not be read. */
  effective: number | null;
}

/** Regions whose budget one view shows, at most. */
const REGIONS_SHOWN = 20;
/** An operator's view waits this long at most for Redis (the endpoint must answer during an outage). */
const READ_WAIT_MS = 500;

/**
 * The channel call budget of the regions a campaign's targets are in (issue 10: "show its
 * effective rate"; the regions are frozen at creation), read from the buckets the workers share
 * in Redis. One Redis round trip; a Redis failure makes `effective` null, never the request fail.
 */
@Injectable()
export class CampaignCallBudget implements OnApplicationShutdown {
  private readonly redis: Redis;
  private readonly budget: ChannelBudget;
  private readonly byRegion: Record<string, string>;

  constructor(private readonly config: AppConfig) {
    // Its own connection, failing fast (producer options): the queue's client is BullMQ's.
    this.redis = new Redis(redisOptionsFromUrl(config.REDIS_URL, 'producer'));
    this.redis.on('error', () => undefined); // reconnects by itself; reads meanwhile answer null
    this.budget = new ChannelBudget(this.redis, config.QUEUE_PREFIX, config.CHANNEL_CALLS_PER_SECOND, Math.min(READ_WAIT_MS, config.CHANNEL_BUDGET_WAIT_MS));
    this.byRegion = config.CHANNEL_BY_REGION ? parseChannelMap(config.CHANNEL_BY_REGION) : {};
  }

  /** `regions` as a campaign stores them (sorted at creation). */
  async forRegions(regions: readonly string[]): Promise<Record<string, RegionCallBudget>> {
    const buckets = regions.slice(0, REGIONS_SHOWN).map((region) => ({ region, channel: this.byRegion[region] ?? this.config.CHANNEL }));
    const rates = await this.budget.effectiveRates(buckets).catch(() => buckets.map(() => null));
    return Object.fromEntries(buckets.map((b, i) => [b.region, { channel: b.channel, limit: this.budget.maxRate, effective: rates[i] }]));
  }

  onApplicationShutdown(): void {
    // A second disconnect() of an ended ioredis client leaves a 2 s timer that holds the process.
    if (this.redis.status !== 'end') this.redis.disconnect();
  }
}
