import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, Worker } from 'bullmq';
import { AppConfig } from '@rdpfix/config';
import { redisOptionsFromUrl } from '@rdpfix/queue';
import { CAMPAIGN_QUEUE, CampaignTickJob } from './campaign-waker';
import { CampaignScheduler } from './campaign-scheduler';

/** Runs scheduler ticks from the queue (a wake-up is one job; a tick waits for the campaign's lock). */
@Injectable()
export class CampaignTickWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(CampaignTickWorker.name);
  private worker?: Worker<CampaignTickJob>;

  constructor(
    private readonly config: AppConfig,
    private readonly scheduler: CampaignScheduler,
  ) {}

  onModuleInit(): void {
    this.worker = new Worker<CampaignTickJob>(CAMPAIGN_QUEUE, (job) => this.process(job), {
      connection: redisOptionsFromUrl(this.config.REDIS_URL, 'worker'),
      prefix: this.config.QUEUE_PREFIX,
      // Ticks of one campaign serialise on its row lock; a few slots serve many campaigns.
      concurrency: 4,
      lockDuration: this.config.WORKER_LOCK_DURATION_MS,
      stalledInterval: this.config.WORKER_STALLED_INTERVAL_MS,
    });
    this.worker.on('error', (err) => this.log.error(`campaign tick worker error: ${err.message}`));
    this.worker.on('failed', (job, err) => this.log.warn(`campaign tick ${job?.id} failed: ${err.message}`));
  }

  async process(job: Job<CampaignTickJob>): Promise<void> {
    await this.scheduler.tick(job.data.campaignId);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
