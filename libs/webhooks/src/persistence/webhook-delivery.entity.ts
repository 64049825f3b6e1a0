import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { CampaignWebhookEventType, CampaignWebhookPayload } from '../campaign-webhook-payload';
import type { WebhookEventType, WebhookPayload } from '../webhook-payload';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/**
 * One event for one remediation's callback URL (unique per remediation and event type), or one
 * campaign event (unique per campaign and event key).
 */
@Entity({ name: 'webhook_deliveries' })
@Index('uq_webhook_deliveries_event', ['remediationId', 'eventType'], { unique: true })
export class WebhookDeliveryEntity {
  /** Also the Standard Webhooks `webhook-id`, identical on every retry. */
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'remediation_id', type: 'uuid', nullable: true }) remediationId: string | null;
  /** Set instead of remediationId for campaign events. */
  @Column({ name: 'campaign_id', type: 'uuid', nullable: true }) campaignId: string | null;
  /** The campaign event this delivery is for (its campaign_events id). */
  @Column({ name: 'event_key', type: 'varchar', length: 64, nullable: true }) eventKey: string | null;
  /** The API key whose secret signs a campaign delivery (the campaign's creator). */
  @Column({ name: 'signer_key_id', type: 'uuid', nullable: true }) signerKeyId: string | null;
  @Column({ name: 'event_type', type: 'varchar', length: 48 }) eventType: WebhookEventType | CampaignWebhookEventType;
  @Column({ type: 'varchar', length: 2048 }) url: string;
  @Column({ type: 'jsonb' }) payload: WebhookPayload | CampaignWebhookPayload;
  @Column({ type: 'varchar', length: 16, default: 'pending' }) status: WebhookDeliveryStatus;
  /** Attempts started (claimed); the next attempt's number is attempts + 1. */
  @Column({ type: 'int', default: 0 }) attempts: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true }) nextAttemptAt: Date | null;
  @Column({ name: 'last_status_code', type: 'int', nullable: true }) lastStatusCode: number | null;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError: string | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true }) deliveredAt: Date | null;
}
