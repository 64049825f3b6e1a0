import { Injectable } from '@nestjs/common';
import { WebhookDeliveryRepository } from '../persistence';
import { WebhookDeliveryView, webhookDeliveryView } from './webhook-delivery-view';

/** API read side: a remediation's webhook deliveries with every attempt, oldest first. */
@Injectable()
export class WebhookDeliveryService {
  constructor(private readonly deliveries: WebhookDeliveryRepository) {}

  async listForRemediation(remediationId: string): Promise<WebhookDeliveryView[]> {
    const rows = await this.deliveries.listForRemediation(remediationId);
    return rows.map(({ delivery, attempts }) => webhookDeliveryView(delivery, attempts));
  }

  async listForCampaign(campaignId: string): Promise<WebhookDeliveryView[]> {
    const rows = await this.deliveries.listForCampaign(campaignId);
    return rows.map(({ delivery, attempts }) => webhookDeliveryView(delivery, attempts));
  }
}
