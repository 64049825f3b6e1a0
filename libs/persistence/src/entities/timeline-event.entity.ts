import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Actor } from './remediation.entity';

/** Append-only history of a remediation; the id orders events and resumes SSE streams. */
@Entity({ name: 'timeline_events' })
@Index('ix_timeline_events_remediation', ['remediationId', 'id'])
export class TimelineEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'remediation_id', type: 'uuid' }) remediationId: string;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  @Column({ type: 'varchar', length: 48 }) type: string;
  @Column({ type: 'varchar', length: 16, nullable: true }) step: string | null;
  @Column({ type: 'text' }) message: string;
  @Column({ type: 'jsonb', nullable: true }) data: Record<string, unknown> | null;
  @Column({ type: 'jsonb', nullable: true }) actor: Actor | null;
}
