/** Where a campaign target is (campaign_targets.state). */
export const TARGET_STATES = ['pending', 'running', 'parked', 'approved', 'done', 'excluded'] as const;
export type TargetState = (typeof TARGET_STATES)[number];

/** What became of a campaign target (issue 10 §6); each comes with a machine reason code. */
export const TARGET_OUTCOMES = [
  'fixed',
  'already_healthy',
  'diagnosed',
  'refused',
  'failed',
  'timed_out',
  'unreachable',
  'cancelled',
  'skipped',
  'not_started',
] as const;
export type TargetOutcome = (typeof TARGET_OUTCOMES)[number];

/** Outcomes that mean "done, nothing wrong" — the only ones a CLI may exit 0 on. */
export const GOOD_OUTCOMES: readonly TargetOutcome[] = ['fixed', 'already_healthy', 'diagnosed'];

/** Which budget an outcome consumes: maxErrors, maxUnreachable, or none. */
export type BudgetKind = 'error' | 'unreachable' | 'none';

export function budgetOf(outcome: TargetOutcome): BudgetKind {
  if (outcome === 'failed' || outcome === 'timed_out') return 'error';
  if (outcome === 'unreachable') return 'unreachable';
  return 'none';
}

export interface MappedOutcome {
  outcome: TargetOutcome;
  reason: string;
  budget: BudgetKind;
}

/** Failure reasons that mean "we could not reach the instance", not "the fix went wrong". */
const UNREACHABLE_REASONS = new Set(['agent_offline', 'command_undelivered', 'instance_not_found']);
const TIMEOUT_REASONS = new Set(['command_timed_out', 'deadline_exceeded']);
/** Ended without anything going wrong on the server, and without being attempted as asked. */
const SKIP_REASONS = new Set(['approval_expired', 'unsupported_os']);

/**
 * The one mapping from a finished remediation (outcome + reason) to a campaign outcome. Pure;
 * unknown reasons (new ones from other parts of rdpfix) keep their code and fall on the safe
 * side: an unknown failure counts against maxErrors.
 *
 * `planDecision` is what the diagnose plan said (diagnose campaigns): it becomes the reason of
 * `diagnosed` (needs_fix, healthy, a refusal reason, unsupported_os, unknown).
 */
export function targetOutcomeOf(
  rem: { outcome: string | null; reason: string | null },
  ctx: { campaignCancelling?: boolean; planDecision?: string | null } = {},
): MappedOutcome {
  const reason = rem.reason ?? null;
  const make = (outcome: TargetOutcome, r: string): MappedOutcome => ({ outcome, reason: r, budget: budgetOf(outcome) });
  switch (rem.outcome) {
    case 'fixed':
      return make('fixed', reason ?? 'fixed');
    case 'already_healthy':
      return make('already_healthy', reason ?? 'no_cause_found');
    case 'diagnosed':
      return make('diagnosed', ctx.planDecision ?? reason ?? 'diagnosed');
    case 'refused':
      return make('refused', reason ?? 'refused');
    case 'cancelled':
      return make('cancelled', ctx.campaignCancelling ? 'campaign_cancelled' : 'remediation_cancelled');
    case 'failed': {
      const r = reason ?? 'unknown_failure';
      if (UNREACHABLE_REASONS.has(r)) return make('unreachable', r);
      if (TIMEOUT_REASONS.has(r)) return make('timed_out', r);
      if (SKIP_REASONS.has(r)) return make('skipped', r);
      return make('failed', r);
    }
    default:
      // rolled_back or anything new: a campaign never asks for it, so it is not a success.
      return make('failed', `unexpected_outcome_${String(rem.outcome ?? 'none').slice(0, 40)}`);
  }
}

/** Why a target that was never started did not start (derived when the campaign ends). */
export function notStartedReason(campaignState: string, stopKind: string | null): string {
  if (campaignState === 'cancelled' || campaignState === 'cancelling') return 'campaign_cancelled';
  if (stopKind === 'unreachable') return 'stopped_on_unreachable';
  return 'stopped_on_errors';
}
