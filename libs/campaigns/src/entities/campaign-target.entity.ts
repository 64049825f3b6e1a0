import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TargetOutcome, TargetState } from '../domain/target-outcome';

/** One instance of a campaign's frozen target list; linked to its remediation once started. */
@Entity({ name: 'campaign_targets' })
export class CampaignTargetEntity {
  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  /** Position in the list as given (line order); the claim starts targets in this order. */
  @PrimaryColumn({ type: 'int' }) seq: number;
  @Column({ name: 'instance_id', type: 'varchar', length: 32 }) instanceId: string;
  @Column({ type: 'varchar', length: 32 }) region: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true }) tenantId: string | null;
  @Column({ type: 'varchar', length: 16 }) state: TargetState;
  @Column({ type: 'int', nullable: true }) wave: number | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) outcome: TargetOutcome | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) reason: string | null;
  @Column({ name: 'remediation_id', type: 'uuid', nullable: true }) remediationId: string | null;
  /** 1 for a first attempt; a retry campaign's target has its parent target's attempt + 1. */
  @Column({ type: 'int', default: 1 }) attempt: number;
  /** Inventory tags at creation (exclusion filters match them). */
  @Column({ type: 'jsonb', nullable: true }) tags: Record<string, string> | null;
  /** `open`: may change its server; `closed`: started ahead of the ramp, not yet diagnosed; `held`: diagnosed, its change waits for a ramp slot. */
  @Column({ name: 'change_gate', type: 'varchar', length: 8, default: 'open' }) changeGate: 'open' | 'closed' | 'held';
  @Column({ name: 'harvest_due', type: 'boolean', default: false }) harvestDue: boolean;
  @Column({ name: 'approval_requested_at', type: 'timestamptz', nullable: true }) approvalRequestedAt: Date | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
}
