import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { LicensingMode, Mode, Strategy } from '@rdpfix/domain';
import type { CampaignState } from '../domain/campaign-state';

/** The actor that created or changed a campaign. */
export interface CampaignActor {
  keyId: string | null;
  role: string;
  source: string;
}

/** How the targets were given (kept for the record and for retries). */
export interface TargetSource {
  kind: 'list' | 'file' | 'filter' | 'retry';
  filter?: { tenantId?: string; region?: string; tags?: Record<string, string> } | null;
  exclude?: { instanceIds: number; filters: { tenantId?: string; region?: string; tags?: Record<string, string> }[] } | null;
  retryOf?: { campaignId: string; outcomes: string[] } | null;
}

/** Why a campaign stopped starting targets (a budget was exceeded). */
export interface CampaignStop {
  kind: 'errors' | 'unreachable';
  at: string;
  /** Failures (or unreachable) counted when the stop was decided, and targets then in flight. */
  countAtStop: number;
  inFlightAtStop: number;
}

export type StateCounts = Partial<Record<'pending' | 'running' | 'parked' | 'approved' | 'done' | 'excluded', number>>;

@Entity({ name: 'campaigns' })
export class CampaignEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) name: string | null;
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ type: 'varchar', length: 16 }) mode: Mode;
  @Column({ type: 'varchar', length: 32 }) strategy: Strategy;
  @Column({ name: 'allow_reboot', type: 'boolean', default: false }) allowReboot: boolean;
  @Column({ name: 'license_server', type: 'varchar', length: 253, nullable: true }) licenseServer: string | null;
  @Column({ name: 'licensing_mode', type: 'varchar', length: 16, nullable: true }) licensingMode: LicensingMode | null;
  /** Set when a tenant-bound key created it: only that tenant's instances are targets. */
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true }) tenantId: string | null;
  @Column({ type: 'jsonb', nullable: true }) actor: CampaignActor | null;
  @Column({ name: 'callback_url', type: 'varchar', length: 2048, nullable: true }) callbackUrl: string | null;
  @Column({ name: 'target_source', type: 'jsonb' }) targetSource: TargetSource;
  @Column({ type: 'varchar', length: 16, default: 'running' }) state: CampaignState;
  @Column({ name: 'state_reason', type: 'text', nullable: true }) stateReason: string | null;
  @Column({ name: 'input_count', type: 'int' }) inputCount: number;
  @Column({ name: 'target_count', type: 'int' }) targetCount: number;
  @Column({ name: 'excluded_count', type: 'int' }) excludedCount: number;
  /** The regions of its targets that the inventory did not rule out, sorted (frozen at creation). */
  @Column({ type: 'varchar', length: 32, array: true, default: () => "'{}'" }) regions: string[];
  @Column({ name: 'max_concurrency_spec', type: 'varchar', length: 8 }) maxConcurrencySpec: string;
  @Column({ name: 'max_concurrency', type: 'int' }) maxConcurrency: number;
  @Column({ name: 'max_errors_spec', type: 'varchar', length: 8 }) maxErrorsSpec: string;
  @Column({ name: 'max_errors', type: 'int' }) maxErrors: number;
  @Column({ name: 'max_unreachable_spec', type: 'varchar', length: 8 }) maxUnreachableSpec: string;
  @Column({ name: 'max_unreachable', type: 'int' }) maxUnreachable: number;
  @Column({ type: 'jsonb' }) waves: { wave: number; spec: string; cumulative: number; size: number }[];
  @Column({ name: 'wave_bake_s', type: 'int', default: 0 }) waveBakeS: number;
  @Column({ name: 'current_wave', type: 'int', default: 1 }) currentWave: number;
  @Column({ name: 'bake_until', type: 'timestamptz', nullable: true }) bakeUntil: Date | null;
  /** The claim's cursor: every target with a lower seq has been started or excluded. */
  @Column({ name: 'next_seq', type: 'int', default: 0 }) nextSeq: number;
  @Column({ type: 'jsonb', default: () => "'{}'" }) counts: StateCounts;
  @Column({ type: 'jsonb', default: () => "'{}'" }) outcomes: Record<string, number>;
  @Column({ type: 'int', default: 0 }) failures: number;
  @Column({ type: 'int', default: 0 }) unreachable: number;
  @Column({ type: 'jsonb', nullable: true }) stop: CampaignStop | null;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'int', default: 1 }) version: number;
}
