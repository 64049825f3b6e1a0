/**
 * How the batched path nudges work along; implemented by the batch worker (BullMQ jobs with
 * idempotent ids) so the engine pieces stay free of queue code.
 */
export interface BatchPokes {
  dispatch(region: string, delayMs?: number): Promise<void>;
  collect(batchId: string, delayMs?: number): Promise<void>;
  recover(batchId: string, delayMs?: number): Promise<void>;
  /** Makes a remediation's job run its next step now (its command ended). */
  wake(remediationId: string): Promise<void>;
  /** The batched commands of these remediations ended: advance them (inline-advance.ts) or wake their jobs. */
  ended(remediationIds: string[]): Promise<void>;
}
