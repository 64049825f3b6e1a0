import { Amount, formatAmount, parseAmount } from './amount';
import { CampaignInputError } from './field-error';

/** One resolved wave: the cumulative number of targets started by its end, and its own size. */
export interface ResolvedWave {
  wave: number;
  spec: string;
  cumulative: number;
  size: number;
}

export const MAX_WAVES = 20;

/**
 * Parses `waves` (e.g. [1, 10, "5%", "100%"]); a bad entry names its index. Entries of the same
 * kind must not shrink ([10, 5] or ["10%", "5%"] is an error) — whatever the fleet size.
 */
export function parseWaves(raw: unknown): Amount[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw CampaignInputError.of('waves', 'waves must be a list like [1, 10, "5%", "100%"]');
  if (raw.length > MAX_WAVES) throw CampaignInputError.of('waves', `at most ${MAX_WAVES} waves`);
  const specs = raw.map((w, i) => parseAmount(w, `waves[${i}]`, { allowZero: false }));
  const last: Partial<Record<Amount['kind'], Amount>> = {};
  specs.forEach((a, i) => {
    const before = last[a.kind];
    if (before && a.value < before.value) {
      throw CampaignInputError.of(`waves[${i}]`, `waves are cumulative and must not shrink: ${formatAmount(a)} comes after ${formatAmount(before)}`);
    }
    last[a.kind] = a;
  });
  return specs;
}

/**
 * Waves are CUMULATIVE: each entry is how many of the campaign's targets have been started by
 * the end of that wave (a count, or a percentage of the targets rounded up, capped at the
 * total). [1, 10, "5%", "100%"] on 1,000 targets gives waves of 1, 9, 40 and 950. An entry that
 * adds nothing on this fleet (e.g. "5%" of 100 = 5 after 10) is dropped; a list that does not
 * reach every target gets a final "100%" wave; no waves = one wave of everything.
 */
export function resolveWaves(specs: Amount[], total: number): ResolvedWave[] {
  const out: ResolvedWave[] = [];
  let prev = 0;
  for (const a of specs) {
    const raw = a.kind === 'count' ? a.value : Math.ceil((total * a.value) / 100);
    const cumulative = Math.min(total, raw);
    if (cumulative > prev) {
      out.push({ wave: out.length + 1, spec: formatAmount(a), cumulative, size: cumulative - prev });
      prev = cumulative;
    }
  }
  if (prev < total) out.push({ wave: out.length + 1, spec: '100%', cumulative: total, size: total - prev });
  if (out.length === 0) out.push({ wave: 1, spec: '100%', cumulative: total, size: total });
  return out;
}
