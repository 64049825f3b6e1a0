/**
 * Honest exit codes of `rdpfix campaign watch` (and `start --watch`): 0 only when every target of
 * the campaign (instances excluded at creation are not targets) ended fixed, already healthy or
 * diagnosed.
 */
export const CAMPAIGN_EXIT = {
  ok: 0,
  /** Usage errors, bad input, the API unreachable, … */
  error: 1,
  /** The campaign completed, but some target is failed, timed out, unreachable, refused, skipped or cancelled. */
  completedWithFailures: 3,
  /** It stopped on its error (or unreachable) budget. */
  stoppedOnBudget: 4,
  cancelled: 5,
} as const;

const GOOD = ['fixed', 'already_healthy', 'diagnosed'];

export function campaignExitCode(c: { state: string; targets: { eligible: number }; outcomes: Record<string, number> }): number {
  if (c.state === 'cancelled') return CAMPAIGN_EXIT.cancelled;
  if (c.state === 'stopped') return CAMPAIGN_EXIT.stoppedOnBudget;
  if (c.state !== 'completed') return CAMPAIGN_EXIT.error;
  const good = GOOD.reduce((n, o) => n + (c.outcomes[o] ?? 0), 0);
  return good === c.targets.eligible ? CAMPAIGN_EXIT.ok : CAMPAIGN_EXIT.completedWithFailures;
}
