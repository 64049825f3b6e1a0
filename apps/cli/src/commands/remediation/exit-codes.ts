/**
 * Exit codes of `rdpfix diagnose | fix | watch | approve | cancel` (documented in the help and
 * the README). 0 only when the remediation ended well (or was accepted, without --wait).
 */
export const REMEDIATION_EXIT = {
  /** fixed, already_healthy, diagnosed or rolled_back; or accepted (fix without --wait, approve, cancel). */
  ok: 0,
  /** Bad input, no API key, the API unreachable, an action the API refused (4xx). */
  error: 1,
  /** It ended failed (agent offline, command failed or timed out, verification failed, deadline, ...). */
  failed: 3,
  /** rdpfix refused to change the server (domain controller, Group Policy, RDS deployment, ...). */
  refused: 4,
  cancelled: 5,
  /** It waits for approval of the restart: run `rdpfix approve <id>`. */
  awaitingApproval: 6,
  /** --timeout elapsed before it ended. */
  timedOut: 7,
} as const;

export interface RemediationLike {
  state: string;
  outcome: string | null;
}

export function remediationExitCode(r: RemediationLike): number {
  if (r.state === 'awaiting_approval') return REMEDIATION_EXIT.awaitingApproval;
  if (r.state !== 'finished') return REMEDIATION_EXIT.ok;
  switch (r.outcome) {
    case 'fixed':
    case 'already_healthy':
    case 'diagnosed':
    case 'rolled_back':
      return REMEDIATION_EXIT.ok;
    case 'refused':
      return REMEDIATION_EXIT.refused;
    case 'cancelled':
      return REMEDIATION_EXIT.cancelled;
    default:
      return REMEDIATION_EXIT.failed;
  }
}

export const EXIT_CODES_HELP = `
Exit codes:
  0  ended fixed, already_healthy, diagnosed or rolled_back (or accepted, without --wait)
  1  error: bad input, no API key, API unreachable, or the API refused the request
  3  ended failed (agent offline, command failed or timed out, verification failed, ...)
  4  refused: rdpfix did not change the server (domain controller, Group Policy, ...)
  5  cancelled
  6  waiting for approval of the restart (run: rdpfix approve <id>)
  7  --timeout elapsed before it ended`;
