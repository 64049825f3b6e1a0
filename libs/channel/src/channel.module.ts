import { Global, Module, OnApplicationShutdown, Inject } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig, parseEndpointMap } from '@rdpfix/config';
import { redisOptionsFromUrl } from '@rdpfix/queue';
import { ChannelBudget } from './channel-budget';
import { COMMAND_CHANNEL } from './command-channel.port';
import { ChannelInventoryModule } from './inventory/inventory.module';
import { SsmCommandChannel } from './ssm/ssm-command-channel';

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
      inject: [AppConfig, CHANNEL_REDIS],
      useFactory: (c: AppConfig, redis: Redis) => {
        const map = c.CHANNEL_ENDPOINTS ? parseEndpointMap(c.CHANNEL_ENDPOINTS) : {};
        return new SsmCommandChannel({
          endpointFor: (region) => map[region] ?? c.CHANNEL_ENDPOINT,
          credentials: { accessKeyId: c.AWS_ACCESS_KEY_ID, secretAccessKey: c.AWS_SECRET_ACCESS_KEY },
          maxAttempts: c.CHANNEL_MAX_ATTEMPTS,
          budget: new ChannelBudget(redis, c.QUEUE_PREFIX, c.CHANNEL_CALLS_PER_SECOND),
        });
      },
    },
  ],
  imports: [ChannelInventoryModule],
  exports: [COMMAND_CHANNEL, ChannelInventoryModule],
})
export class ChannelModule implements OnApplicationShutdown {
  constructor(
    @Inject(CHANNEL_REDIS) private readonly redis: Redis,
    @Inject(COMMAND_CHANNEL) private readonly channel: SsmCommandChannel,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.channel.destroy();
    this.redis.disconnect();
  }
}
