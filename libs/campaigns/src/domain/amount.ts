import { CampaignInputError } from './field-error';

/** A count ("10", 10) or a share of the targets ("10%"), as SSM's MaxConcurrency / MaxErrors. */
export type Amount = { kind: 'count'; value: number } | { kind: 'percent'; value: number };

/** Counts above this are refused as input (they could never be reached: at most 100,000 targets). */
export const MAX_COUNT = 1_000_000;

/**
 * Parses a count or a percentage. Percentages are whole numbers 0–100 (0 only when `allowZero`);
 * counts are whole numbers ≥ 1 (≥ 0 with `allowZero`). Anything else names `field`.
 */
export function parseAmount(raw: unknown, field: string, opts: { allowZero: boolean }): Amount {
  const min = opts.allowZero ? 0 : 1;
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < min || raw > MAX_COUNT) throw CampaignInputError.of(field, `${field} must be a whole number from ${min} to ${MAX_COUNT}, or a percentage like "10%"`);
    return { kind: 'count', value: raw };
  }
  if (typeof raw !== 'string') throw CampaignInputError.of(field, `${field} must be a count (e.g. 10) or a percentage (e.g. "10%")`);
  const s = raw.trim();
  const pct = /^(\d{1,4})%$/.exec(s);
  if (pct) {
    const v = Number(pct[1]);
    if (v > 100) throw CampaignInputError.of(field, `${field} is ${v}%: a percentage cannot be over 100%`);
    if (v < min) throw CampaignInputError.of(field, `${field} must be at least ${min}%`);
    return { kind: 'percent', value: v };
  }
  if (/^\d{1,7}$/.test(s)) return parseAmount(Number(s), field, opts);
  throw CampaignInputError.of(field, `${field} must be a count (e.g. 10) or a percentage (e.g. "10%"), not ${JSON.stringify(s.slice(0, 20))}`);
}

export function formatAmount(a: Amount): string {
  return a.kind === 'percent' ? `${a.value}%` : String(a.value);
}
