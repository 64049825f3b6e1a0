import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Step } from '@rdpfix/domain';

/**
 * One command the worker asked the channel to run on one instance. `requested` -> `sending`
 * -> provider statuses. The (remediation, purpose, attempt) key makes a second run row for the
 * same change impossible; `sending` without a command id means "sent or not, look it up".
 * Every transition out of `sending` compares `send_epoch` (the fencing token taken with
 * `requested -> sending`), so a runner that lost its claim can change nothing (docs/at-most-once.md).
 * `send_outcome_unknown`: a changing command's send may or may not have reached the channel and
 * the lookups by marker did not find it before `lookup_until`; it is never sent again.
 */
export type CommandRunStatus =
  | 'requested'
  | 'sending'
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'undelivered'
  | 'cancelled'
  | 'rejected'
  | 'send_outcome_unknown';

@Entity({ name: 'command_runs' })
@Index('uq_command_runs_purpose_attempt', ['remediationId', 'purpose', 'attempt'], { unique: true })
export class CommandRunEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'remediation_id', type: 'uuid' }) remediationId: string;
  @Column({ type: 'varchar', length: 16 }) step: Step;
  @Column({ type: 'varchar', length: 64 }) purpose: string;
  @Column({ type: 'int', default: 1 }) attempt: number;
  @Column({ name: 'script_name', type: 'varchar', length: 48 }) scriptName: string;
  @Column({ name: 'script_version', type: 'int' }) scriptVersion: number;
  @Column({ name: 'script_sha256', type: 'char', length: 64 }) scriptSha256: string;
  @Column({ type: 'jsonb', default: () => "'{}'" }) parameters: Record<string, string | number>;
  @Column({ type: 'varchar', length: 16 }) channel: string;
  @Column({ name: 'instance_id', type: 'varchar', length: 32 }) instanceId: string;
  @Column({ type: 'varchar', length: 32 }) region: string;
  @Column({ name: 'command_id', type: 'varchar', length: 64, nullable: true }) commandId: string | null;
  @Column({ type: 'varchar', length: 24, default: 'requested' }) status: CommandRunStatus;
  @Column({ name: 'provider_status', type: 'varchar', length: 32, nullable: true }) providerStatus: string | null;
  @Column({ name: 'provider_status_details', type: 'varchar', length: 64, nullable: true }) providerStatusDetails: string | null;
  @Column({ name: 'exit_code', type: 'int', nullable: true }) exitCode: number | null;
  @Column({ name: 'stdout_excerpt', type: 'text', nullable: true }) stdoutExcerpt: string | null;
  @Column({ name: 'stderr_excerpt', type: 'text', nullable: true }) stderrExcerpt: string | null;
  @Column({ type: 'boolean', default: false }) truncated: boolean;
  @Column({ type: 'jsonb', nullable: true }) result: unknown;
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ name: 'poll_count', type: 'int', default: 0 }) pollCount: number;
  @Column({ name: 'requested_at', type: 'timestamptz', default: () => 'now()' }) requestedAt: Date;
  @Column({ name: 'sending_at', type: 'timestamptz', nullable: true }) sendingAt: Date | null;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt: Date | null;
  @Column({ name: 'started_at', type: 'timestamptz', nullable: true }) startedAt: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  @Column({ name: 'timeout_at', type: 'timestamptz', nullable: true }) timeoutAt: Date | null;
  /** Fencing token: incremented by every `requested -> sending`; every later transition compares it. */
  @Column({ name: 'send_epoch', type: 'int', default: 0 }) sendEpoch: number;
  /** Lookups by marker of a send with an unknown outcome stop here (PostgreSQL's clock). */
  @Column({ name: 'lookup_until', type: 'timestamptz', nullable: true }) lookupUntil: Date | null;
  /** When the sender learned that its send's outcome is unknown (upper end of the lookup window). */
  @Column({ name: 'send_unknown_at', type: 'timestamptz', nullable: true }) sendUnknownAt: Date | null;
  @Column({ name: 'lookup_count', type: 'int', default: 0 }) lookupCount: number;
  /** Batched path (issue 10): the group (script + parameters) a requested run may be sent with. */
  @Column({ name: 'batch_key', type: 'varchar', length: 200, nullable: true }) batchKey: string | null;
  /** Batched path: the batch (one provider command) that claimed this run. */
  @Column({ name: 'batch_id', type: 'uuid', nullable: true }) batchId: string | null;
}
