import type { FailureReason, Outcome, Step } from '@rdpfix/domain';
import type { RemediationEntity } from '@rdpfix/persistence';

/** What a step handler decided. The engine persists it; handlers never write the row themselves. */
export type StepOutcome =
  /** Persist `patch` (compare-and-set) and run the next step now. */
  | { kind: 'advance'; patch: Partial<RemediationEntity>; event?: { type: string; message: string; data?: Record<string, unknown> } }
  /**
   * Nothing to persist; come back after `ms` without holding a worker slot. `held`: the patch
   * holds the remediation at its change gate (a campaign's ramp); the listeners are told.
   */
  | { kind: 'wait'; ms: number; patch?: Partial<RemediationEntity>; event?: { type: string; message: string; data?: Record<string, unknown> }; held?: boolean }
  /** End the remediation. */
  | {
      kind: 'finish';
      outcome: Outcome;
      reason?: FailureReason | string | null;
      detail?: string | null;
      patch?: Partial<RemediationEntity>;
    }
  /** Park the remediation (awaiting approval); the job ends, the approval re-enqueues it. */
  | { kind: 'park'; patch: Partial<RemediationEntity>; event: { type: string; message: string; data?: Record<string, unknown> } };

/** What one engine call did, for the processor. */
export type AdvanceResult =
  /** Go on at once; `row` is the row this call just wrote (the next call need not read it again). */
  | { kind: 'continue'; row?: RemediationEntity }
  | { kind: 'wait'; ms: number }
  /** `finished`: the remediation has ended (not parked for an approval): its job will never be needed again. */
  | { kind: 'stop'; finished?: boolean };

export interface StepHandler {
  readonly step: Step;
  run(r: RemediationEntity, now: Date): Promise<StepOutcome>;
}
