import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { WebhookDeliveryRepository } from '../persistence';
import { WebhookQueue } from './webhook-queue';

/**
 * Postgres holds every pending delivery; Redis only its job. On a timer (not a BullMQ scheduler:
 * it must survive a flushed Redis) this re-adds the job of every pending delivery that is overdue,
 * e.g. when the enqueue after insert failed or Redis lost its keys.
 */
@Injectable()
export class WebhookSweeper implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(WebhookSweeper.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly queue: WebhookQueue,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.tick(), this.config.RECONCILE_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass; returns how many jobs were re-added. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      // ensureJob skips live jobs; the grace only covers the gap between insert and enqueue.
      const grace = this.config.WEBHOOK_TIMEOUT_MS + this.config.WORKER_LOCK_DURATION_MS;
      let added = 0;
      for (const id of await this.deliveries.listOverdue(grace, 500)) {
        if (await this.queue.ensureJob(id)) added++;
      }
      if (added) this.log.log(`re-enqueued ${added} webhook deliver${added === 1 ? 'y' : 'ies'}`);
      return added;
    } catch (err) {
      this.log.warn(`webhook sweep failed: ${(err as Error).message}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}
