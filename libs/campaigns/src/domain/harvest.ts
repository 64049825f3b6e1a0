import { MappedOutcome, targetOutcomeOf } from './target-outcome';

/** A started target and the current state of its remediation, as the harvest reads them. */
export interface HarvestInput {
  targetState: 'running' | 'parked' | 'approved';
  /** The operator approved this target's restart through the campaign. */
  approvalRequested: boolean;
  /** null: the remediation row is gone. */
  remState: string | null;
  remOutcome: string | null;
  remReason: string | null;
  /** diagnosedReason() of the remediation's plan (diagnose campaigns). */
  planReason?: string | null;
}

export type HarvestDecision =
  | { kind: 'finish'; mapped: MappedOutcome }
  | { kind: 'move'; to: 'running' | 'parked' }
  | { kind: 'keep'; reapprove: boolean };

/**
 * What a target becomes given its remediation (pure). `running` targets hold a concurrency
 * slot; `parked` (awaiting approval) and `approved` (approved, waiting for a slot) do not.
 */
export function harvestDecision(t: HarvestInput, ctx: { campaignCancelling: boolean }): HarvestDecision {
  if (t.remState === null) return { kind: 'finish', mapped: { outcome: 'failed', reason: 'remediation_missing', budget: 'error' } };
  if (t.remState === 'finished') {
    return { kind: 'finish', mapped: targetOutcomeOf({ outcome: t.remOutcome, reason: t.remReason }, { campaignCancelling: ctx.campaignCancelling, planDecision: t.planReason ?? null }) };
  }
  if (t.remState === 'awaiting_approval') {
    if (t.targetState !== 'running') return { kind: 'keep', reapprove: false };
    // Our approve call was lost (worker died between commit and call): send it again.
    if (t.approvalRequested) return { kind: 'keep', reapprove: true };
    return { kind: 'move', to: 'parked' };
  }
  // queued / running: it takes a slot (approved elsewhere, e.g. by a support key on the remediation).
  if (t.targetState !== 'running') return { kind: 'move', to: 'running' };
  return { kind: 'keep', reapprove: false };
}
