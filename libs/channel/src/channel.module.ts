import { Global, Module, OnApplicationShutdown, Inject } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@rdpfix/config';
import { redisOptionsFromUrl } from '@rdpfix/queue';
import { ChannelBudget } from './channel-budget';
import { COMMAND_CHANNEL, CommandChannel } from './command-channel.port';
import { ChannelInventoryModule } from './inventory/inventory.module';
import { CHANNEL_METRICS, ChannelMetricsSink, instrumentChannel } from './metrics/instrumented-channel';
import { channelFromConfig } from './routing/channels-from-config';

const CHANNEL_REDIS = Symbol('CHANNEL_REDIS');

@Global()
@Module({
  providers: [
    {
      provide: CHANNEL_REDIS,
      inject: [AppConfig],
      useFactory: (c: AppConfig) => new Redis(redisOptionsFromUrl(c.REDIS_URL, 'worker')),
    },
    {
      provide: COMMAND_CHANNEL,
      inject: [AppConfig, CHANNEL_REDIS, { token: CHANNEL_METRICS, optional: true }],
      // CHANNEL (+ CHANNEL_BY_REGION): one adapter, or a routing channel over several (docs/channels.md).
      // Counted by region and operation when the app provides a metrics sink (the worker does).
      useFactory: (c: AppConfig, redis: Redis, metrics?: ChannelMetricsSink) => {
        const channel = channelFromConfig(c, new ChannelBudget(redis, c.QUEUE_PREFIX, c.CHANNEL_CALLS_PER_SECOND, c.CHANNEL_BUDGET_WAIT_MS));
        return metrics ? instrumentChannel(channel, metrics) : channel;
      },
    },
  ],
  imports: [ChannelInventoryModule],
  exports: [COMMAND_CHANNEL, ChannelInventoryModule],
})
export class ChannelModule implements OnApplicationShutdown {
  constructor(
    @Inject(CHANNEL_REDIS) private readonly redis: Redis,
    @Inject(COMMAND_CHANNEL) private readonly channel: CommandChannel,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    (this.channel as { destroy?: () => void }).destroy?.();
    this.redis.disconnect();
  }
}
