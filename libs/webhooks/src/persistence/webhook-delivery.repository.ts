import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';
import type { WebhookEventType, WebhookPayload } from '../webhook-payload';
import type { CampaignWebhookEventType, CampaignWebhookPayload } from '../campaign-webhook-payload';

export type NewDelivery = Pick<WebhookDeliveryEntity, 'url' | 'status' | 'lastError' | 'nextAttemptAt'> & {
  remediationId: string;
  eventType: WebhookEventType;
  payload: WebhookPayload;
};

export interface NewCampaignDelivery {
  campaignId: string;
  eventKey: string;
  eventType: CampaignWebhookEventType;
  url: string;
  payload: CampaignWebhookPayload;
  signerKeyId: string | null;
  status: 'pending' | 'failed';
  lastError: string | null;
  nextAttemptAt: Date | null;
}

export interface AttemptRecord {
  attempt: number;
  at: Date;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** All SQL about webhook deliveries and their attempts. */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly ds: DataSource) {}

  private get deliveries() {
    return this.ds.getRepository(WebhookDeliveryEntity);
  }

  /** Inserts the delivery unless this event of this remediation already has one; returns the row. */
  async insertOnce(row: NewDelivery): Promise<{ delivery: WebhookDeliveryEntity; created: boolean }> {
    const res = await this.deliveries.createQueryBuilder().insert().into(WebhookDeliveryEntity).values(row as never).orIgnore().returning(['id']).execute();
    const created = Array.isArray(res.raw) && res.raw.length > 0;
    const delivery = await this.deliveries.findOneOrFail({ where: { remediationId: row.remediationId, eventType: row.eventType } });
    return { delivery, created };
  }

  /** Inserts the delivery of a campaign event unless it has one; returns the row. */
  async insertCampaignOnce(row: NewCampaignDelivery): Promise<{ delivery: WebhookDeliveryEntity; created: boolean }> {
    const res = await this.deliveries.createQueryBuilder().insert().into(WebhookDeliveryEntity).values(row as never).orIgnore().returning(['id']).execute();
    const created = Array.isArray(res.raw) && res.raw.length > 0;
    const delivery = await this.deliveries.findOneOrFail({ where: { campaignId: row.campaignId, eventKey: row.eventKey } });
    return { delivery, created };
  }

  /** A campaign's deliveries with their attempts, oldest first. */
  async listForCampaign(campaignId: string, limit = 100): Promise<{ delivery: WebhookDeliveryEntity; attempts: WebhookAttemptEntity[] }[]> {
    const rows = await this.deliveries.find({ where: { campaignId }, order: { createdAt: 'ASC', id: 'ASC' }, take: limit });
    if (rows.length === 0) return [];
    const attempts = await this.ds.getRepository(WebhookAttemptEntity).find({ where: { deliveryId: In(rows.map((r) => r.id)) }, order: { attempt: 'ASC' } });
    return rows.map((delivery) => ({ delivery, attempts: attempts.filter((a) => a.deliveryId === delivery.id) }));
  }

  findById(id: string): Promise<WebhookDeliveryEntity | null> {
    return this.deliveries.findOne({ where: { id } });
  }

  async listForRemediation(remediationId: string): Promise<{ delivery: WebhookDeliveryEntity; attempts: WebhookAttemptEntity[] }[]> {
    const rows = await this.deliveries.find({ where: { remediationId }, order: { createdAt: 'ASC', id: 'ASC' } });
    if (rows.length === 0) return [];
    const attempts = await this.ds.getRepository(WebhookAttemptEntity).find({ where: { deliveryId: In(rows.map((r) => r.id)) }, order: { attempt: 'ASC' } });
    return rows.map((delivery) => ({ delivery, attempts: attempts.filter((a) => a.deliveryId === delivery.id) }));
  }

  /**
   * Compare-and-set: takes attempt number `seen + 1` for this caller. A duplicated (stalled) job
   * that read the same row loses the race and sends nothing.
   */
  async claimAttempt(id: string, seen: number): Promise<boolean> {
    const res = await this.deliveries
      .createQueryBuilder()
      .update(WebhookDeliveryEntity)
      .set({ attempts: () => 'attempts + 1' })
      .where(`id = :id AND attempts = :seen AND status = 'pending'`, { id, seen })
      .execute();
    return (res.affected ?? 0) > 0;
  }

  /** Stores an attempt and the delivery's new state together. */
  async recordAttempt(id: string, a: AttemptRecord, patch: Partial<Pick<WebhookDeliveryEntity, 'status' | 'nextAttemptAt' | 'lastStatusCode' | 'lastError' | 'deliveredAt'>>): Promise<void> {
    await this.ds.transaction(async (m) => {
      await m.getRepository(WebhookAttemptEntity).insert({ deliveryId: id, ...a });
      await m
        .createQueryBuilder()
        .update(WebhookDeliveryEntity)
        .set(patch as never)
        .where(`id = :id AND status = 'pending'`, { id })
        .execute();
    });
  }

  /**
   * Remediations with a callback URL that finished (within `windowMs`) or parked for approval more
   * than `graceMs` ago and still have no delivery row for that event: the process ended between
   * committing the state and telling the listener.
   */
  async listMissedEvents(graceMs: number, windowMs: number, limit: number): Promise<{ id: string; eventType: WebhookEventType }[]> {
    const rows: { id: string; event_type: WebhookEventType }[] = await this.ds.query(
      `SELECT r.id, e.event_type FROM remediations r
         CROSS JOIN LATERAL (SELECT CASE WHEN r.state = 'finished' THEN 'remediation.finished' ELSE 'remediation.awaiting_approval' END AS event_type) e
        WHERE r.callback_url IS NOT NULL
          AND ((r.state = 'finished' AND r.finished_at > now() - ($2::int * interval '1 millisecond')
                                     AND r.finished_at < now() - ($1::int * interval '1 millisecond'))
            OR (r.state = 'awaiting_approval' AND r.updated_at < now() - ($1::int * interval '1 millisecond')))
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.remediation_id = r.id AND d.event_type = e.event_type)
        LIMIT $3`,
      [graceMs, windowMs, limit],
    );
    return rows.map((r) => ({ id: r.id, eventType: r.event_type }));
  }

  /** Pending deliveries overdue by more than `graceMs`: their job was probably lost with Redis. */
  async listOverdue(graceMs: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.ds.query(
      `SELECT id FROM webhook_deliveries
        WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at < now() - ($1::int * interval '1 millisecond'))
        ORDER BY next_attempt_at NULLS FIRST LIMIT $2`,
      [graceMs, limit],
    );
    return rows.map((r) => r.id);
  }
}
