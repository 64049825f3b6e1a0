export const MODES = ['diagnose', 'fix'] as const;
export type Mode = (typeof MODES)[number];

/** A remediation's mode: what a client may request, or a rollback of an earlier fix. */
export type RemediationMode = Mode | 'rollback';

export const STRATEGIES = ['remove-role', 'configure-licensing'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const LICENSING_MODES = ['per-user', 'per-device'] as const;
export type LicensingMode = (typeof LICENSING_MODES)[number];

export const SOURCES = ['ticket', 'console', 'campaign', 'api'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * The complaint a caller reports (issue 7). `another-user-logged-on`: a second logon of the same
 * account is refused or takes over the first session. It makes the single-session restriction a
 * cause even when no account holds an active session right now.
 */
export const SYMPTOMS = ['another-user-logged-on'] as const;
export type Symptom = (typeof SYMPTOMS)[number];

/** What the planner needs to know of a request (the rest is bookkeeping). */
export interface PlanRequest {
  mode: Mode;
  strategy: Strategy;
  allowReboot: boolean;
  licenseServer?: string | null;
  licensingMode?: LicensingMode | null;
  /** The caller's complaint; only `another-user-logged-on` exists. */
  symptom?: Symptom | null;
  /** The account that cannot log on a second time (notes only). */
  symptomAccount?: string | null;
  /**
   * The caller explicitly asked to remove the RD Session Host role although licensing is
   * configured on the server (mode 2/4 with a license server). Never set for console keys: the
   * API rejects the field for them, and it must spell out the instance id.
   */
  removeRoleDespiteLicensing?: boolean;
}

/** LicensingType code for a requested licensing mode. */
export const LICENSING_MODE_CODE: Record<LicensingMode, 2 | 4> = { 'per-device': 2, 'per-user': 4 };
