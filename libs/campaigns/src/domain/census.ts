import { FactsSummary, GRACE_BUCKETS, graceBucket } from './facts-reader';

/** The fleet census of a campaign (issue 10 §4): aggregates only, built one row at a time. */
export interface Census {
  targets: number;
  diagnosed: number;
  byOutcome: Record<string, number>;
  /** OS release -> cause ('single_session', 'licensing_lockout', 'none', 'unknown') -> count. */
  causesByOs: Record<string, Record<string, number>>;
  /** Grace-days histogram (GRACE_BUCKETS). */
  graceDays: Record<string, number>;
  licensingMode: Record<string, number>;
  /** The refusal reason a fix would meet -> count (only targets a fix would refuse). */
  wouldRefuse: Record<string, number>;
  /** How many diagnosed targets a fix would change, and how many of those need a restart. */
  wouldFix: number;
  wouldReboot: number;
}

const inc = (m: Record<string, number>, k: string, n = 1) => {
  m[k] = (m[k] ?? 0) + n;
};

/**
 * Accumulates rows streamed from PostgreSQL; memory is bounded by the number of buckets, not
 * the number of targets. Rows without facts (not started, unreachable, excluded) only count by
 * outcome.
 */
export class CensusAccumulator {
  private readonly c: Census = {
    targets: 0,
    diagnosed: 0,
    byOutcome: {},
    causesByOs: {},
    graceDays: Object.fromEntries(GRACE_BUCKETS.map((b) => [b, 0])),
    licensingMode: {},
    wouldRefuse: {},
    wouldFix: 0,
    wouldReboot: 0,
  };

  add(outcome: string, facts: FactsSummary | null): void {
    this.c.targets++;
    inc(this.c.byOutcome, outcome);
    if (!facts) return;
    this.c.diagnosed++;
    const os = (this.c.causesByOs[facts.osFamily] ??= {});
    if (facts.planDecision === 'unknown') inc(os, 'unknown');
    else if (facts.causes.length === 0) inc(os, 'none');
    else for (const cause of facts.causes) inc(os, cause);
    inc(this.c.graceDays, graceBucket(facts));
    inc(this.c.licensingMode, facts.licensingMode);
    if (facts.refusalReason) inc(this.c.wouldRefuse, facts.refusalReason);
    if (facts.planDecision === 'act') {
      this.c.wouldFix++;
      if (facts.needsReboot) this.c.wouldReboot++;
    }
  }

  result(): Census {
    return this.c;
  }
}

/** The census as CSV rows: section, key, subkey, count (one header line first). */
export function censusCsvRows(c: Census): string[][] {
  const rows: string[][] = [['section', 'key', 'subkey', 'count']];
  rows.push(['total', 'targets', '', String(c.targets)], ['total', 'diagnosed', '', String(c.diagnosed)]);
  rows.push(['total', 'would_fix', '', String(c.wouldFix)], ['total', 'would_reboot', '', String(c.wouldReboot)]);
  for (const [k, n] of Object.entries(c.byOutcome)) rows.push(['outcome', k, '', String(n)]);
  for (const [os, causes] of Object.entries(c.causesByOs)) for (const [cause, n] of Object.entries(causes)) rows.push(['cause_by_os', os, cause, String(n)]);
  for (const [b, n] of Object.entries(c.graceDays)) rows.push(['grace_days', b, '', String(n)]);
  for (const [m, n] of Object.entries(c.licensingMode)) rows.push(['licensing_mode', m, '', String(n)]);
  for (const [r, n] of Object.entries(c.wouldRefuse)) rows.push(['would_refuse', r, '', String(n)]);
  return rows;
}
