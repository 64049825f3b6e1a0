/** Lifecycle of a remediation row. Active states hold the per-instance unique index. */
export const REMEDIATION_STATES = ['queued', 'running', 'awaiting_approval', 'finished'] as const;
export type RemediationState = (typeof REMEDIATION_STATES)[number];
export const ACTIVE_STATES: readonly RemediationState[] = ['queued', 'running', 'awaiting_approval'];

/** The steps of DESIGN §4, in order. */
export const STEPS = ['precheck', 'diagnose', 'plan', 'apply', 'reboot', 'verify', 'notify', 'done'] as const;
export type Step = (typeof STEPS)[number];

export const OUTCOMES = ['fixed', 'already_healthy', 'diagnosed', 'refused', 'failed', 'cancelled', 'rolled_back'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Why a remediation failed (outcome = failed). */
export type FailureReason =
  | 'agent_offline'
  | 'instance_not_found'
  | 'command_failed'
  | 'command_timed_out'
  /** remove-rdsh-role outlived its time limit and the feature does not read as removal-pending. */
  | 'role_removal_unfinished'
  | 'command_undelivered'
  /** A changing command's send had an unknown outcome and lookups by marker never found it: not resent. */
  | 'send_outcome_unknown'
  | 'verification_failed'
  | 'unsupported_os'
  | 'channel_error'
  | 'bad_output'
  | 'reboot_not_observed'
  | 'approval_expired'
  | 'deadline_exceeded'
  | 'internal_error';
