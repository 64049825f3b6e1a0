import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RemediationEntity } from '@rdpfix/persistence';
import { WebhookQueue } from '../delivery/webhook-queue';
import { WebhookDeliveryEntity, WebhookDeliveryRepository } from '../persistence';
import { CallbackUrlPolicy, validateCallbackUrl } from '../policy/callback-url-policy';
import { CALLBACK_URL_POLICY } from '../tokens';
import { buildWebhookPayload, WebhookEventType } from '../webhook-payload';
import type { CampaignWebhookEventType, CampaignWebhookPayload } from '../campaign-webhook-payload';
import { CALLBACK_URL_RESOLVER, CallbackUrlResolver } from './callback-url-resolver';

/**
 * Records a webhook event (row first, then the job). The unique (remediation, event type) row makes
 * a second call a no-op apart from re-adding a lost job. A URL the policy rejects is recorded as a
 * failed delivery with the reason, so "why was no webhook sent" has an answer.
 */
@Injectable()
export class WebhookEnqueuer {
  private readonly log = new Logger(WebhookEnqueuer.name);

  constructor(
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly queue: WebhookQueue,
    @Inject(CALLBACK_URL_POLICY) private readonly policy: CallbackUrlPolicy,
    @Inject(CALLBACK_URL_RESOLVER) private readonly urls: CallbackUrlResolver,
  ) {}

  async enqueue(type: WebhookEventType, r: RemediationEntity): Promise<WebhookDeliveryEntity | null> {
    const url = await this.urls.callbackUrlFor(r);
    if (!url) return null;
    const check = validateCallbackUrl(url, this.policy);
    const { delivery, created } = await this.deliveries.insertOnce({
      remediationId: r.id,
      eventType: type,
      url,
      payload: buildWebhookPayload(type, r),
      status: check.ok ? 'pending' : 'failed',
      lastError: check.ok ? null : `not sent: ${check.reason}`,
      nextAttemptAt: check.ok ? new Date() : null,
    });
    if (created && !check.ok) this.log.warn(`webhook ${type} of remediation ${r.id} not sent: ${check.reason}`);
    if (delivery.status === 'pending') await this.queue.enqueue(delivery.id);
    return delivery;
  }

  /**
   * Records a campaign event's webhook (row first, then the job); a second call for the same
   * event is a no-op apart from re-adding a lost job. Signed with `signerKeyId`'s secret.
   */
  async enqueueCampaign(e: {
    campaignId: string;
    eventKey: string;
    type: CampaignWebhookEventType;
    url: string | null;
    payload: CampaignWebhookPayload;
    signerKeyId: string | null;
  }): Promise<WebhookDeliveryEntity | null> {
    if (!e.url) return null;
    const check = validateCallbackUrl(e.url, this.policy);
    const { delivery, created } = await this.deliveries.insertCampaignOnce({
      campaignId: e.campaignId,
      eventKey: e.eventKey,
      eventType: e.type,
      url: e.url,
      payload: e.payload,
      signerKeyId: e.signerKeyId,
      status: check.ok ? 'pending' : 'failed',
      lastError: check.ok ? null : `not sent: ${check.reason}`,
      nextAttemptAt: check.ok ? new Date() : null,
    });
    if (created && !check.ok) this.log.warn(`webhook ${e.type} of campaign ${e.campaignId} not sent: ${check.reason}`);
    if (delivery.status === 'pending') await this.queue.enqueue(delivery.id);
    return delivery;
  }
}
