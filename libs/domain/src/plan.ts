import { LicensingMode } from './request';

/** The causes of "cannot RDP" that rdpfix repairs (DESIGN §1). */
export type Cause =
  /** A: fSingleSessionPerUser = 1 */
  | 'single_session'
  /** B: RDSH installed, grace period over, licensing not usable */
  | 'licensing_lockout';

/** One change the apply step makes. Each maps to one runbook script. */
export type PlanAction =
  | { kind: 'allow-multiple-sessions' }
  | { kind: 'configure-licensing'; licensingMode: LicensingMode; licenseServer: string }
  | { kind: 'remove-rdsh-role' };

export type RefusalReason =
  | 'domain_controller'
  | 'rds_deployment'
  | 'group_policy'
  | 'missing_license_input'
  | 'per_user_on_workgroup'
  | 'pending_reboot'
  | 'not_a_licensing_problem';

export type Plan =
  /** Nothing to fix: neither cause is present. */
  | { decision: 'healthy'; notes: string[] }
  /** rdpfix will not change this server; `detail` is for a support engineer. */
  | { decision: 'refuse'; reason: RefusalReason; detail: string; causes: Cause[]; notes: string[] }
  | { decision: 'unsupported'; reason: 'unsupported_os'; detail: string; notes: string[] }
  | { decision: 'act'; causes: Cause[]; actions: PlanAction[]; needsReboot: boolean; notes: string[] };
