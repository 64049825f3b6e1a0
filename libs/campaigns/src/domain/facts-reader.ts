/**
 * THE one place this lib reads a remediation's diagnosis facts and plan. Both shapes belong to
 * libs/domain and are changing (issue 7: facts may carry `unknown`, plans new reasons), so every
 * read here is defensive: anything missing, null, "unknown" or of an unexpected type becomes
 * 'unknown' — never a default that looks like a real value ("unknown is not false").
 */
export interface FactsSummary {
  /** Windows Server release ("2019"), or 'unknown'. */
  osFamily: string;
  /** "major.minor.build" or 'unknown'. */
  osVersion: string;
  /** Whether the RD Session Host role is installed; null = unknown. */
  rdshInstalled: boolean | null;
  /** Grace days left (RDSH only); null = not applicable or unknown (see graceBucket). */
  graceDays: number | null;
  licensingMode: 'admin' | 'per-device' | 'per-user' | 'not_configured' | 'unknown';
  /** Causes found by the plan ('single_session', 'licensing_lockout', or new ones). */
  causes: string[];
  /** What the plan decided: act, healthy, refuse, unsupported — or unknown. */
  planDecision: string;
  /** The refusal reason a fix meets (plan decision refuse/unsupported), else null. */
  refusalReason: string | null;
  needsReboot: boolean | null;
}

const LICENSING: Record<number, FactsSummary['licensingMode']> = { 1: 'admin', 2: 'per-device', 4: 'per-user', 5: 'not_configured' };

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' && v.toLowerCase() !== 'unknown' ? v : null;
}

function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

export function summarizeFacts(facts: unknown, plan: unknown): FactsSummary {
  const f = obj(facts);
  const os = obj(f?.os);
  const rdsh = obj(f?.rdsh);
  const lic = obj(f?.licensing);
  const p = obj(plan);
  const modeCode = typeof lic?.mode === 'number' ? lic.mode : null;
  const grace = typeof f?.graceDays === 'number' && Number.isFinite(f.graceDays) ? f.graceDays : null;
  const decision = str(p?.decision) ?? 'unknown';
  const causes = Array.isArray(p?.causes) ? (p!.causes as unknown[]).filter((c): c is string => typeof c === 'string') : [];
  return {
    osFamily: str(os?.family) ?? 'unknown',
    osVersion: str(os?.version) ?? 'unknown',
    rdshInstalled: bool(rdsh?.installed),
    graceDays: grace,
    licensingMode: (modeCode !== null && LICENSING[modeCode]) || 'unknown',
    causes,
    planDecision: decision,
    refusalReason: decision === 'refuse' || decision === 'unsupported' ? (str(p?.reason) ?? 'unknown') : null,
    needsReboot: decision === 'act' ? bool(p?.needsReboot) : decision === 'unknown' ? null : false,
  };
}

/** The reason code of a `diagnosed` target: what a fix would do there. */
export function diagnosedReason(s: FactsSummary): string {
  switch (s.planDecision) {
    case 'act':
      return 'needs_fix';
    case 'healthy':
      return 'healthy';
    case 'refuse':
    case 'unsupported':
      return s.refusalReason ?? 'unknown';
    default:
      return 'unknown';
  }
}

/** Histogram buckets of grace days left (the 120-day RDSH grace period). */
export const GRACE_BUCKETS = ['expired', '1-7', '8-30', '31-60', '61-120', 'over_120', 'no_rdsh', 'unknown'] as const;
export type GraceBucket = (typeof GRACE_BUCKETS)[number];

export function graceBucket(s: Pick<FactsSummary, 'rdshInstalled' | 'graceDays'>): GraceBucket {
  if (s.rdshInstalled === false) return 'no_rdsh';
  if (s.rdshInstalled === null || s.graceDays === null) return 'unknown';
  const d = s.graceDays;
  if (d <= 0) return 'expired';
  if (d <= 7) return '1-7';
  if (d <= 30) return '8-30';
  if (d <= 60) return '31-60';
  if (d <= 120) return '61-120';
  return 'over_120';
}
