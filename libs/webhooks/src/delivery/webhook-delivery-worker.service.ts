import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { DelayedError, Job, Worker } from 'bullmq';
import { AppConfig } from '@rdpfix/config';
import { redisOptionsFromUrl } from '@rdpfix/queue';
import { DeliverWebhookJob, WEBHOOK_QUEUE } from './webhook-queue';
import { WebhookDeliverer } from './webhook-deliverer';

/**
 * The BullMQ worker of the webhooks queue, built like RemediationWorkerService so concurrency and
 * locks come from config. A retry waits in the delayed set (moveToDelayed + DelayedError), so a
 * day of retries holds no worker slot.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(WebhookDeliveryWorker.name);
  private worker?: Worker<DeliverWebhookJob>;

  constructor(
    private readonly config: AppConfig,
    private readonly deliverer: WebhookDeliverer,
  ) {}

  onModuleInit(): void {
    if (this.config.WEBHOOK_SECRET === new AppConfig().WEBHOOK_SECRET) {
      this.log.warn('WEBHOOK_SECRET is the public development default; set your own secret in production');
    }
    this.worker = new Worker<DeliverWebhookJob>(WEBHOOK_QUEUE, (job, token) => this.process(job, token), {
      connection: redisOptionsFromUrl(this.config.REDIS_URL, 'worker'),
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.WEBHOOK_CONCURRENCY,
      lockDuration: this.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
      maxStalledCount: 5,
    });
    this.worker.on('failed', (job, err) => {
      if (!job || err instanceof DelayedError || err.name === 'DelayedError') return;
      // The row stays pending; the sweeper re-adds the job once it is overdue.
      this.log.error(`webhook job ${job.id} failed (${job.attemptsMade}/${job.opts.attempts ?? 1}): ${err.message}`);
    });
    this.worker.on('error', (err) => this.log.error(`webhook worker error: ${err.message}`));
  }

  async process(job: Job<DeliverWebhookJob>, token?: string): Promise<void> {
    const step = await this.deliverer.deliver(job.data.deliveryId);
    if (step.kind === 'done') return;
    await job.moveToDelayed(step.at.getTime(), token);
    throw new DelayedError();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
