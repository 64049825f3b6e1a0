import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { PeriodicTask } from '@rdpfix/queue';
import { CAMPAIGN_WEBHOOK_EVENTS } from '../domain/campaign-state';
import { CampaignEventRepository } from '../events/campaign-event.repository';
import { CampaignNotifier } from '../events/campaign-notifier';
import { CampaignRepository } from '../persistence/campaign.repository';
import { CampaignScheduler } from './campaign-scheduler';

/**
 * The scheduler's safety pass, on a plain timer in every worker (it must run when Redis lost its
 * keys): ticks every active campaign — lost wake-ups, bake times that ended, a worker that died
 * mid-tick, cancels made through the remediation API — and records campaign webhooks whose
 * delivery row was never written. Busy campaigns (another worker's tick holds the lock) are
 * skipped, not waited for.
 */
@Injectable()
export class CampaignSweeper extends PeriodicTask {
  protected readonly log = new Logger(CampaignSweeper.name);

  constructor(
    private readonly config: AppConfig,
    private readonly campaigns: CampaignRepository,
    private readonly scheduler: CampaignScheduler,
    private readonly events: CampaignEventRepository,
    private readonly notifier: CampaignNotifier,
  ) {
    super();
  }

  protected intervalMs(): number {
    return this.config.CAMPAIGN_SWEEP_INTERVAL_MS;
  }

  protected async pass(): Promise<number> {
    let ticked = 0;
    for (const c of await this.campaigns.listActiveIds()) {
      try {
        // The scheduler makes the tick full (every started target re-read) when one is due.
        await this.scheduler.tick(c.id, { skipIfLocked: true });
        ticked++;
      } catch (err) {
        this.log.warn(`safety tick of campaign ${c.id} failed: ${(err as Error).message}`);
      }
    }
    const grace = this.config.WEBHOOK_TIMEOUT_MS + this.config.WORKER_LOCK_DURATION_MS;
    for (const e of await this.events.listUndelivered(CAMPAIGN_WEBHOOK_EVENTS, grace, 100)) {
      const c = await this.campaigns.findById(e.campaignId);
      if (c) await this.notifier.notify(c, [e]);
    }
    return ticked;
  }
}
