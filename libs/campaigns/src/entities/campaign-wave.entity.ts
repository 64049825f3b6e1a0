import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Counters of one wave; the ramp reads `cleared_ok`, `fixed_ok` and `changes_ok`, the wave is done when `finished` = `size`. */
@Entity({ name: 'campaign_waves' })
export class CampaignWaveEntity {
  @PrimaryColumn({ name: 'campaign_id', type: 'uuid' }) campaignId: string;
  @PrimaryColumn({ type: 'int' }) wave: number;
  @Column({ type: 'varchar', length: 8 }) spec: string;
  @Column({ type: 'int' }) cumulative: number;
  @Column({ type: 'int' }) size: number;
  @Column({ type: 'int', default: 0 }) started: number;
  @Column({ type: 'int', default: 0 }) finished: number;
  @Column({ type: 'int', default: 0 }) ok: number;
  /** Targets that ended without an error after their change gate was open: the ramp grows with these. */
  @Column({ name: 'cleared_ok', type: 'int', default: 0 }) clearedOk: number;
  /** Of those, the targets `fixed`: the first one opens a fix campaign's ramp. */
  @Column({ name: 'fixed_ok', type: 'int', default: 0 }) fixedOk: number;
  /** Changing commands that succeeded on the wave's targets whose gate was open (the listener adds them). */
  @Column({ name: 'changes_ok', type: 'int', default: 0 }) changesOk: number;
  @Column({ type: 'int', default: 0 }) errors: number;
  @Column({ type: 'int', default: 0 }) unreachable: number;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'done_at', type: 'timestamptz', nullable: true }) doneAt: Date | null;
  /** Start cohorts (docs/campaigns.md): how long the wave's ended remediations ran, in all and how many. */
  @Column({ name: 'run_ms_sum', type: 'bigint', default: 0 }) runMsSum: string;
  @Column({ name: 'runs_timed', type: 'int', default: 0 }) runsTimed: number;
  /** The sum of the squared run times (s²): with run_ms_sum, the time-weighted mean run time. */
  @Column({ name: 'run_s2_sum', type: 'double precision', default: 0 }) runS2Sum: number;
  /** When the wave last started targets (PostgreSQL's clock). */
  @Column({ name: 'last_start_at', type: 'timestamptz', nullable: true }) lastStartAt: Date | null;
}
