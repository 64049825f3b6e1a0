import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '@rdpfix/config';
import { RemediationRepository } from '@rdpfix/persistence';
import { PeriodicTask } from '@rdpfix/queue';
import { WebhookEnqueuer } from '../listener/webhook-enqueuer';
import { WebhookDeliveryRepository } from '../persistence';
import { WebhookQueue } from './webhook-queue';

/** How far back a finished remediation whose event was never recorded is still notified. */
const MISSED_EVENT_WINDOW_MS = 6 * 3600_000;

/**
 * Postgres holds every pending delivery; Redis only its job. On a timer (not a BullMQ scheduler:
 * it must survive a flushed Redis) this re-adds the job of every pending delivery that is overdue
 * (the enqueue after insert failed, or Redis lost its keys), and records events the listener never
 * got (the worker died between committing the state and calling it).
 */
@Injectable()
export class WebhookSweeper extends PeriodicTask {
  protected readonly log = new Logger(WebhookSweeper.name);

  constructor(
    private readonly config: AppConfig,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly queue: WebhookQueue,
    private readonly enqueuer: WebhookEnqueuer,
    private readonly remediations: RemediationRepository,
  ) {
    super();
  }

  protected intervalMs(): number {
    return this.config.RECONCILE_INTERVAL_MS;
  }

  /** One pass; returns how many deliveries were recorded or re-enqueued. */
  protected async pass(): Promise<number> {
    // ensureJob skips live jobs; the grace only covers the gap between insert and enqueue
    // (and between a remediation's commit and its listener call).
    const grace = this.config.WEBHOOK_TIMEOUT_MS + this.config.WORKER_LOCK_DURATION_MS;
    let recorded = 0;
    for (const missed of await this.deliveries.listMissedEvents(grace, MISSED_EVENT_WINDOW_MS, 100)) {
      const r = await this.remediations.findById(missed.id);
      if (r && (await this.enqueuer.enqueue(missed.eventType, r))) recorded++;
    }
    let added = 0;
    for (const id of await this.deliveries.listOverdue(grace, 500)) {
      if (await this.queue.ensureJob(id)) added++;
    }
    if (recorded || added) this.log.log(`webhooks: recorded ${recorded} missed event(s), re-enqueued ${added} deliver${added === 1 ? 'y' : 'ies'}`);
    return recorded + added;
  }
}
