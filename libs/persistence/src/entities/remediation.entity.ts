import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type {
  DiagnosisFacts,
  LicensingMode,
  RemediationMode,
  Outcome,
  Plan,
  RollbackPlan,
  RemediationState,
  Source,
  Step,
  Strategy,
  Symptom,
} from '@rdpfix/domain';

/** One recorded change: rollback data (DESIGN §4 apply). */
export interface RecordedChange {
  action: string;
  setting: string;
  before: unknown;
  after: unknown;
  reversible: boolean;
  commandRunId: string;
  at: string;
  /** restore-licensing: written, but WMI shows the mode only after a restart. */
  restartNeeded?: boolean;
}

/** Step-local progress that must survive a worker restart (reboot phase, verify attempts). */
export interface StepData {
  actionIndex?: number;
  /** diagnose attempt to run (2 = the re-diagnosis after an approval). */
  diagnoseAttempt?: number;
  /** The approved plan was re-checked against a fresh diagnosis. */
  rediagnosed?: boolean;
  rebootCommandDoneAt?: string;
  sawOffline?: boolean;
  rebootDeadlineAt?: string;
  verifyAttempt?: number;
  /**
   * A campaign's change gate (engine/steps/change-gate.ts): absent or `open` = may change the
   * server; `closed` = started ahead of the ramp; `held` = planned, waiting for the campaign to open it.
   */
  changeGate?: 'open' | 'closed' | 'held';
  /** When the plan was held at the gate (ISO). */
  heldAt?: string;
  /** Held long enough that the server was diagnosed again after the gate opened. */
  gateRediagnosed?: boolean;
}

/** The actor that requested or changed a remediation (filled by the auth layer). */
export interface Actor {
  keyId: string | null;
  role: string;
  source: string;
}

@Entity({ name: 'remediations' })
export class RemediationEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'instance_id', type: 'varchar', length: 32 }) instanceId: string;
  @Column({ type: 'varchar', length: 32 }) region: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 64, nullable: true }) tenantId: string | null;
  @Column({ type: 'varchar', length: 16 }) mode: RemediationMode;
  /** For mode `rollback`: the remediation whose changes this one undoes. */
  @Column({ name: 'rollback_of', type: 'uuid', nullable: true }) rollbackOf: string | null;
  @Column({ type: 'varchar', length: 32 }) strategy: Strategy;
  @Column({ name: 'license_server', type: 'varchar', length: 253, nullable: true }) licenseServer: string | null;
  @Column({ name: 'licensing_mode', type: 'varchar', length: 16, nullable: true }) licensingMode: LicensingMode | null;
  @Column({ name: 'allow_reboot', type: 'boolean', default: false }) allowReboot: boolean;
  /** The caller's complaint (issue 7): `another-user-logged-on` makes cause A a cause without an active session. */
  @Column({ type: 'varchar', length: 32, nullable: true }) symptom: Symptom | null;
  @Column({ name: 'symptom_account', type: 'varchar', length: 104, nullable: true }) symptomAccount: string | null;
  /** Explicit request to remove the RDSH role although licensing is configured (never from console keys). */
  @Column({ name: 'remove_role_despite_licensing', type: 'boolean', default: false }) removeRoleDespiteLicensing: boolean;
  @Column({ type: 'varchar', length: 16 }) source: Source;
  @Column({ name: 'ticket_ref', type: 'varchar', length: 128, nullable: true }) ticketRef: string | null;
  @Column({ name: 'callback_url', type: 'varchar', length: 2048, nullable: true }) callbackUrl: string | null;
  @Column({ type: 'varchar', length: 24, default: 'queued' }) state: RemediationState;
  @Column({ type: 'varchar', length: 16, default: 'precheck' }) step: Step;
  @Column({ name: 'step_data', type: 'jsonb', default: () => "'{}'" }) stepData: StepData;
  @Column({ type: 'varchar', length: 24, nullable: true }) outcome: Outcome | null;
  @Column({ type: 'varchar', length: 48, nullable: true }) reason: string | null;
  @Column({ name: 'reason_detail', type: 'text', nullable: true }) reasonDetail: string | null;
  @Column({ type: 'jsonb', nullable: true }) facts: DiagnosisFacts | null;
  @Column({ type: 'jsonb', nullable: true }) plan: Plan | RollbackPlan | null;
  @Column({ type: 'jsonb', default: () => "'[]'" }) changes: RecordedChange[];
  @Column({ type: 'jsonb', nullable: true }) verification: unknown;
  @Column({ name: 'boot_time_before', type: 'timestamptz', nullable: true }) bootTimeBefore: Date | null;
  @Column({ type: 'boolean', default: false }) rebooted: boolean;
  @Column({ name: 'cancel_requested', type: 'boolean', default: false }) cancelRequested: boolean;
  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true }) approvedAt: Date | null;
  @Column({ name: 'approval_expires_at', type: 'timestamptz', nullable: true }) approvalExpiresAt: Date | null;
  @Column({ name: 'deadline_at', type: 'timestamptz' }) deadlineAt: Date;
  @Column({ type: 'jsonb', nullable: true }) actor: Actor | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt: Date | null;
  @VersionColumn() version: number;
}
