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

/** What the planner needs to know of a request (the rest is bookkeeping). */
export interface PlanRequest {
  mode: Mode;
  strategy: Strategy;
  allowReboot: boolean;
  licenseServer?: string | null;
  licensingMode?: LicensingMode | null;
}

/** LicensingType code for a requested licensing mode. */
export const LICENSING_MODE_CODE: Record<LicensingMode, 2 | 4> = { 'per-device': 2, 'per-user': 4 };
