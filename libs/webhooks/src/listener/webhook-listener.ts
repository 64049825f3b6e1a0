import { Injectable } from '@nestjs/common';
import type { RemediationEntity } from '@rdpfix/persistence';
import type { RemediationListener } from '@rdpfix/remediation';
import { WEBHOOK_EVENTS } from '../webhook-payload';
import { WebhookEnqueuer } from './webhook-enqueuer';

/** Turns "finished" and "parked for approval" into signed webhooks to the callback URL. */
@Injectable()
export class WebhookListener implements RemediationListener {
  constructor(private readonly enqueuer: WebhookEnqueuer) {}

  async onFinished(r: RemediationEntity): Promise<void> {
    await this.enqueuer.enqueue(WEBHOOK_EVENTS.finished, r);
  }

  async onAwaitingApproval(r: RemediationEntity): Promise<void> {
    await this.enqueuer.enqueue(WEBHOOK_EVENTS.awaitingApproval, r);
  }
}
