import { LicensingMode } from './request';

/** The causes of "cannot RDP" that rdpfix repairs (DESIGN §1). */
export type Cause =
  /** A: fSingleSessionPerUser = 1 AND it blocks a logon (an active session, or the reported symptom). */
  | 'single_session'
  /** B: RDSH installed, grace period over, licensing not usable */
  | 'licensing_lockout';

/** One change the apply step makes. Each maps to one runbook script. */
export type PlanAction =
  | { kind: 'allow-multiple-sessions' }
  | { kind: 'configure-licensing'; licensingMode: LicensingMode; licenseServer: string }
  /**
   * `despiteLicensing`: the caller explicitly asked for the removal although licensing is
   * configured; the script's own licensing check is then waived (and only then).
   */
  | { kind: 'remove-rdsh-role'; despiteLicensing?: boolean };

export type RefusalReason =
  | 'domain_controller'
  | 'rds_deployment'
  | 'group_policy'
  /** Licensing is configured (mode 2/4 + a server) but no license server answers "valid". */
  | 'license_server_unreachable'
  /** Licensing is configured and a server answers, but the configuration does not work (e.g. Per User on a workgroup). */
  | 'licensing_configured'
  | 'missing_license_input'
  | 'per_user_on_workgroup'
  | 'pending_reboot'
  | 'not_a_licensing_problem'
  /** A fact the decision depends on could not be read. */
  | 'facts_incomplete'
  /** After approval the server no longer matched the approved plan. */
  | 'plan_changed';

/** A cause found (or not ruled out) that the plan does not change, and why. */
export interface LeftCause {
  cause: Cause;
  /** Why it is left: a refusal reason; `facts_incomplete` when it could not be determined. */
  reason: RefusalReason;
  /** true: the cause is proven; false: it could not be ruled out (facts unknown). */
  present: boolean;
  detail: string;
}

export type Plan =
  /** Nothing to fix: neither cause is present, and every fact needed to say so was read. */
  | { decision: 'healthy'; notes: string[] }
  /** rdpfix will not change this server; `detail` is for a support engineer. */
  | { decision: 'refuse'; reason: RefusalReason; detail: string; causes: Cause[]; notes: string[]; left?: LeftCause[] }
  | { decision: 'unsupported'; reason: 'unsupported_os'; detail: string; notes: string[] }
  /**
   * `causes`: the proven causes; `actions` fix some of them; `left` lists what is not changed and
   * why (a cause blocked on its own, or one that could not be ruled out).
   */
  | { decision: 'act'; causes: Cause[]; actions: PlanAction[]; needsReboot: boolean; notes: string[]; left?: LeftCause[] };
