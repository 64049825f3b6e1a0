import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CampaignActor } from './campaign.entity';

/** A campaign's own timeline: state changes only (they are also its webhooks and SSE events). */
@Entity({ name: 'campaign_events' })
export class CampaignEventEntity {
  /** bigserial: returned as a string by pg. */
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  @Column({ type: 'varchar', length: 48 }) type: string;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'jsonb', nullable: true }) data: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) actor: CampaignActor | null;
}
