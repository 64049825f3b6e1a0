import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { WebhookAttemptEntity } from './webhook-attempt.entity';
import { WebhookDeliveryEntity } from './webhook-delivery.entity';

export type NewDelivery = Pick<WebhookDeliveryEntity, 'remediationId' | 'eventType' | 'url' | 'payload' | 'status' | 'lastError' | 'nextAttemptAt'>;

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
    const res = await this.deliveries.createQueryBuilder().insert().into(WebhookDeliveryEntity).values(row).orIgnore().returning(['id']).execute();
    const created = Array.isArray(res.raw) && res.raw.length > 0;
    const delivery = await this.deliveries.findOneOrFail({ where: { remediationId: row.remediationId, eventType: row.eventType } });
    return { delivery, created };
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
