import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One HTTP attempt of a delivery (or the check that stopped it before any request). */
@Entity({ name: 'webhook_attempts' })
@Index('uq_webhook_attempts_attempt', ['deliveryId', 'attempt'], { unique: true })
export class WebhookAttemptEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'delivery_id', type: 'uuid' }) deliveryId: string;
  @Column({ type: 'int' }) attempt: number;
  @Column({ type: 'timestamptz', default: () => 'now()' }) at: Date;
  @Column({ name: 'status_code', type: 'int', nullable: true }) statusCode: number | null;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ name: 'duration_ms', type: 'int' }) durationMs: number;
}
