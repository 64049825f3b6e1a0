import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue } from 'bullmq';

/**
 * A BullMQ Queue emits 'error' when its Redis connection fails; an EventEmitter 'error' with no
 * listener throws, which ended the whole process (API or worker) at the first Redis outage
 * (issue 8, defect 5, found with the Redis proxy cut). Every registered queue gets a listener
 * that logs instead; ioredis reconnects by itself.
 */
@Injectable()
export class QueueErrorListener implements OnApplicationBootstrap {
  private readonly log = new Logger('Queue');

  constructor(private readonly discovery: DiscoveryService) {}

  onApplicationBootstrap(): void {
    for (const w of this.discovery.getProviders()) {
      const q = w.instance as unknown;
      if (q instanceof Queue && q.listenerCount('error') === 0) {
        let last = 0;
        q.on('error', (err: Error) => {
          // One line per queue every 10 s at most: an outage must not flood the log.
          if (Date.now() - last < 10_000) return;
          last = Date.now();
          this.log.warn(`queue ${q.name}: Redis error (${err.message}); reconnecting`);
        });
      }
    }
  }
}
