import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';

/** The BullMQ queue of webhook deliveries (job data: ids only, never the payload or a secret). */
export const WEBHOOK_QUEUE = 'webhooks';
export const WEBHOOK_JOB = 'deliver-webhook';

export interface DeliverWebhookJob {
  deliveryId: string;
}

/** One job per delivery for its whole life (retries are the same job, delayed). */
export function webhookJobId(deliveryId: string): string {
  return `wh-${deliveryId}`;
}

const LIVE_STATES = new Set(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);

@Injectable()
export class WebhookQueue {
  private readonly log = new Logger(WebhookQueue.name);

  constructor(@InjectQueue(WEBHOOK_QUEUE) private readonly queue: Queue<DeliverWebhookJob>) {}

  /** Adds the delivery's job (a no-op while one is live). Failure is logged: the sweeper retries. */
  async enqueue(deliveryId: string, delayMs = 0): Promise<boolean> {
    try {
      await this.queue.add(
        WEBHOOK_JOB,
        { deliveryId },
        {
          jobId: webhookJobId(deliveryId),
          delay: Math.max(0, delayMs),
          // Only unexpected errors (DB down) use these; HTTP failures follow the retry schedule.
          attempts: 5,
          backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
        },
      );
      return true;
    } catch (err) {
      this.log.warn(`enqueue of webhook delivery ${deliveryId} failed, the sweeper will retry: ${(err as Error).message}`);
      return false;
    }
  }

  /** Re-adds the job of a pending delivery unless a live one exists (after a Redis loss). */
  async ensureJob(deliveryId: string): Promise<boolean> {
    const job = await this.queue.getJob(webhookJobId(deliveryId));
    if (job) {
      const state = await job.getState();
      if (LIVE_STATES.has(state)) return false;
      if (state === 'completed' || state === 'failed') await job.remove();
    }
    return this.enqueue(deliveryId);
  }
}
