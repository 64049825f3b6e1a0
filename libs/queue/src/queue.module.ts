import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '@rdpfix/config';
import { QUEUES } from './queue-names';
import { redisOptionsFromUrl } from './redis-connection';
import { QueueErrorListener } from './queue-error-listener';

/**
 * Registers the queues. `producer` (API) fails fast on a Redis outage; `worker` waits for Redis.
 * Retention is bounded: Postgres keeps the history, Redis only moves work.
 */
@Module({})
export class QueueModule {
  static forRoot(role: 'producer' | 'worker'): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        DiscoveryModule,
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            connection: redisOptionsFromUrl(config.REDIS_URL, role),
            prefix: config.QUEUE_PREFIX,
            defaultJobOptions: {
              attempts: 5,
              backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
              removeOnComplete: true,
              removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
            },
          }),
        }),
        BullModule.registerQueue({ name: QUEUES.remediations }),
      ],
      providers: [QueueErrorListener],
      exports: [BullModule],
    };
  }
}
