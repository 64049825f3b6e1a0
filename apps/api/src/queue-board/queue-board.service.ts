import { getQueueToken } from '@nestjs/bullmq';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import Redis from 'ioredis';
import { CAMPAIGN_QUEUE } from '@rdpfix/campaigns';
import { AppConfig } from '@rdpfix/config';
import { QUEUES, redisOptionsFromUrl } from '@rdpfix/queue';
import { WEBHOOK_QUEUE } from '@rdpfix/webhooks';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board (the BullMQ dashboard) over every queue rdpfix uses. Queues the API does not
 * produce to (webhooks, campaign ticks) are opened read-mostly here on one shared connection.
 * Redis only moves work: what the board shows is the engine's state, PostgreSQL is the truth.
 */
@Injectable()
export class QueueBoard implements OnApplicationShutdown {
  readonly router: RequestHandler;
  private readonly redis: Redis;
  private readonly extra: Queue[];

  constructor(config: AppConfig, @Inject(getQueueToken(QUEUES.remediations)) remediations: Queue) {
    this.redis = new Redis({ ...redisOptionsFromUrl(config.REDIS_URL, 'producer'), lazyConnect: true });
    this.extra = [WEBHOOK_QUEUE, CAMPAIGN_QUEUE].map((name) => new Queue(name, { connection: this.redis, prefix: config.QUEUE_PREFIX }));
    const server = new ExpressAdapter();
    server.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({ queues: [remediations, ...this.extra].map((q) => new BullMQAdapter(q)), serverAdapter: server });
    this.router = server.getRouter() as RequestHandler;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.extra.map((q) => q.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}
