import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '@rdpfix/config';

/** The BullMQ queue of scheduler ticks (job data: the campaign id only). */
export const CAMPAIGN_QUEUE = 'campaign-ticks';
export const CAMPAIGN_TICK_JOB = 'tick';

export interface CampaignTickJob {
  campaignId: string;
}

/**
 * Wakes a campaign's scheduler. Wake-ups are coalesced: every wake-up inside one window of
 * CAMPAIGN_WAKE_COALESCE_MS becomes the same job (its id names the window), which runs at the
 * window's end — after every remediation that asked for it has committed. 500 remediations
 * finishing in a second cost at most a handful of ticks. A lost wake-up (Redis down) only costs
 * latency: the safety pass ticks every active campaign anyway.
 */
@Injectable()
export class CampaignWaker {
  private readonly log = new Logger(CampaignWaker.name);

  constructor(
    private readonly config: AppConfig,
    @InjectQueue(CAMPAIGN_QUEUE) private readonly queue: Queue<CampaignTickJob>,
  ) {}

  /** Per campaign, the window this process has already queued a tick for (that job has not run yet). */
  private readonly queued = new Map<string, number>();

  async wake(campaignId: string, at?: Date): Promise<boolean> {
    const now = Date.now();
    const when = Math.max(now, at?.getTime() ?? now);
    const window = this.config.CAMPAIGN_WAKE_COALESCE_MS;
    const slot = Math.ceil((when + 1) / window);
    // Already queued by this process, and its run is still ahead (with a margin for clock skew
    // against Redis): the add would be a no-op, so skip its round trip.
    if (this.queued.get(campaignId) === slot && now < slot * window - 50) return true;
    try {
      await this.queue.add(
        CAMPAIGN_TICK_JOB,
        { campaignId },
        {
          jobId: `tick-${campaignId}-${slot}`,
          delay: Math.max(0, slot * window - now),
          attempts: 3,
          backoff: { type: 'exponential', delay: 500 },
          removeOnComplete: true,
          removeOnFail: { count: 100 },
        },
      );
      if (this.queued.size > 10_000) this.queued.clear(); // a bound, not a cache policy
      this.queued.set(campaignId, slot);
      return true;
    } catch (err) {
      this.log.warn(`wake-up of campaign ${campaignId} not queued (the safety pass will tick it): ${(err as Error).message}`);
      return false;
    }
  }
}
