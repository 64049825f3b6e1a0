import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { WebhookEventType, WebhookPayload } from '../webhook-payload';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one remediation's callback URL; unique per (remediation, event type). */
@Entity({ name: 'webhook_deliveries' })
@Index('uq_webhook_deliveries_event', ['remediationId', 'eventType'], { unique: true })
export class WebhookDeliveryEntity {
  /** Also the Standard Webhooks `webhook-id`, identical on every retry. */
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'remediation_id', type: 'uuid' }) remediationId: string;
  @Column({ name: 'event_type', type: 'varchar', length: 48 }) eventType: WebhookEventType;
  @Column({ type: 'varchar', length: 2048 }) url: string;
  @Column({ type: 'jsonb' }) payload: WebhookPayload;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: WebhookDeliveryStatus;
  /** Attempts started (claimed); the next attempt's number is attempts + 1. */
  @Column({ type: 'int', default: 0 }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'last_status_code', type: 'int', nullable: true }) lastStatusCode: number | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt: Date | null;
}
