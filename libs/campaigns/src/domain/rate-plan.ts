import { Amount, formatAmount } from './amount';
import { describeStop, resolveBudget, resolveConcurrency, stopPoint } from './rate-control';
import { ResolvedWave, resolveWaves } from './waves';

/** The absolute numbers a campaign runs with, shown at creation (and in previews). */
export interface RatePlan {
  maxConcurrency: { spec: string; value: number };
  maxErrors: { spec: string; value: number; stopsAt: number; text: string };
  maxUnreachable: { spec: string; value: number; stopsAt: number; text: string };
  waves: ResolvedWave[];
  waveBakeSeconds: number;
}

/** Pure: resolves counts/percentages against the number of eligible targets. */
export function ratePlan(p: { maxConcurrency: Amount; maxErrors: Amount; maxUnreachable: Amount; waves: Amount[]; waveBakeS: number }, eligible: number): RatePlan {
  const errors = resolveBudget(p.maxErrors, eligible);
  const unreachable = resolveBudget(p.maxUnreachable, eligible);
  return {
    maxConcurrency: { spec: formatAmount(p.maxConcurrency), value: resolveConcurrency(p.maxConcurrency, eligible) },
    maxErrors: { spec: formatAmount(p.maxErrors), value: errors, stopsAt: stopPoint(errors), text: describeStop(errors, 'failure') },
    maxUnreachable: { spec: formatAmount(p.maxUnreachable), value: unreachable, stopsAt: stopPoint(unreachable), text: describeStop(unreachable, 'unreachable instance') },
    waves: resolveWaves(p.waves, eligible),
    waveBakeSeconds: p.waveBakeS,
  };
}
