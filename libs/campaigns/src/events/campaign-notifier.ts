import { Injectable, Logger } from '@nestjs/common';
import { CampaignWebhookPayload, isCampaignWebhookEvent, WebhookEnqueuer } from '@rdpfix/webhooks';
import { CampaignEntity, CampaignEventEntity } from '../entities';

/** Turns campaign state-change events into signed webhooks (libs/webhooks delivers and retries). */
@Injectable()
export class CampaignNotifier {
  private readonly log = new Logger(CampaignNotifier.name);

  constructor(private readonly enqueuer: WebhookEnqueuer) {}

  async notify(c: CampaignEntity, events: CampaignEventEntity[]): Promise<void> {
    if (!c.callbackUrl) return;
    for (const e of events) {
      if (!isCampaignWebhookEvent(e.type)) continue;
      try {
        await this.enqueuer.enqueueCampaign({ campaignId: c.id, eventKey: e.id, type: e.type, url: c.callbackUrl, payload: campaignPayload(c, e), signerKeyId: c.actor?.keyId ?? null });
      } catch (err) {
        // The row is not there: the safety pass records it later (listUndelivered).
        this.log.warn(`webhook of campaign event ${e.id} not recorded yet: ${(err as Error).message}`);
      }
    }
  }
}

export function campaignPayload(c: CampaignEntity, e: CampaignEventEntity): CampaignWebhookPayload {
  const self = `/v1/campaigns/${c.id}`;
  return {
    type: e.type as CampaignWebhookPayload['type'],
    timestamp: new Date(e.at).toISOString(),
    data: {
      id: c.id,
      name: c.name,
      mode: c.mode,
      state: (e.data?.state as string | undefined) ?? c.state,
      event: { id: e.id, message: e.message, details: e.data ?? {} },
      counts: { ...(c.counts as Record<string, number>) },
      outcomes: { ...c.outcomes },
      budget: { failures: c.failures, maxErrors: c.maxErrors, unreachable: c.unreachable, maxUnreachable: c.maxUnreachable },
      links: { self, report: `${self}/report`, events: `${self}/events` },
    },
  };
}
