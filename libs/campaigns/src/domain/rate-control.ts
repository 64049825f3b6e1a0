import { Amount } from './amount';

/**
 * The rate-control arithmetic of a campaign, all pure (README "Fleet campaigns"):
 *
 * - maxConcurrency: a count, or a percentage of the campaign's targets rounded UP, and never
 *   below 1 ("10%" of 25 targets = 3; "1%" of 10 = 1).
 * - maxErrors / maxUnreachable: a count, or a percentage rounded DOWN (a safety budget errs on
 *   the side of stopping sooner: "5%" of 30 = 1). The campaign stops when the count EXCEEDS the
 *   budget, so it stops at failure number budget + 1 ("maxErrors 5: stops at the 6th failure").
 */
export function resolveConcurrency(a: Amount, total: number): number {
  if (a.kind === 'count') return Math.max(1, a.value);
  return Math.max(1, Math.ceil((total * a.value) / 100));
}

export function resolveBudget(a: Amount, total: number): number {
  if (a.kind === 'count') return a.value;
  return Math.floor((total * a.value) / 100);
}

/** The failure at which the campaign stops: one more than it may absorb. */
export function stopPoint(budget: number): number {
  return budget + 1;
}

export function budgetExceeded(count: number, budget: number): boolean {
  return count > budget;
}

/** "1st", "2nd", "3rd", "4th", "11th", "21st", … */
export function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

/** Plain words for the stop point, shown at creation. */
export function describeStop(budget: number, what: 'failure' | 'unreachable instance'): string {
  return `stops at the ${ordinal(stopPoint(budget))} ${what}`;
}

/**
 * SSM-style ramp inside a wave, as a sliding window (TCP slow start, not lock-step batches):
 * one target first; every target of the wave that ends without counting against maxErrors
 * opens one more slot. Each completion thus frees its own slot and adds one, so the number in
 * flight doubles every round trip (1 → 2 → 4 → 8 …) until it reaches the cap.
 */
export function rampWindow(okInWave: number, cap: number): number {
  return Math.max(1, Math.min(cap, 1 + Math.max(0, okInWave)));
}

/**
 * The ramp of a fix campaign that looks ahead (docs/campaigns.md "The ramp gates changes"): the
 * number of its targets that may be changing their servers at once. One, until a target of the
 * wave is fixed (changed, restarted, and verified): a fix that breaks servers is seen on one
 * server first. Then SSM's slow start, on changes: every changing command that succeeded opens
 * one more slot, and so does every target that ended without an error after its gate opened.
 */
export function changeWindow(w: { fixedOk: number; clearedOk: number; changesOk: number }, cap: number): number {
  if (!(w.fixedOk > 0)) return 1;
  return Math.max(1, Math.min(cap, 1 + Math.max(0, w.clearedOk) + Math.max(0, w.changesOk)));
}

/** Freed slots this many or more start at once: a cohort cannot batch better than a full batch. */
export const COHORT_FULL = 50;

/**
 * Start cohorts (docs/campaigns.md): how long freed ramp slots wait so that they start together,
 * in ms (0 = start now). Targets started together move through their steps together, so their
 * commands share batches for the whole remediation; the ramp frees slots one completion at a
 * time, and targets started one or two at a time sent every command in batches of a few. A hold
 * lasts at most `sharePct` of the wave's time-weighted mean run time (Σd² ÷ Σd: the run time of
 * the target a slot in flight belongs to; never more than `maxMs`), counted from the wave's last
 * start, and only while it pays: while the completions expected in the rest of it (in flight ×
 * time left ÷ mean run time, Little's law) would at least double the cohort. Early in a ramp,
 * with few in flight, nothing is held; neither is anything before a run time is known, nor in a
 * wave whose weighted run time is under `minRunMs`: cohorts were measured to pay with minute-long
 * restarts, while in the bench's 100,000 run of 5–30 s remediations the two runs with them on took
 * 590 and 594 s against 501 s with them off (cause not found), so short remediations are left alone.
 */
export function cohortHoldMs(p: {
  free: number;
  inFlight: number;
  meanRunMs: number | null;
  weightedRunMs: number | null;
  sinceLastStartMs: number | null;
  sharePct: number;
  maxMs: number;
  minRunMs: number;
}): number {
  if (p.free <= 0 || p.free >= COHORT_FULL || p.sinceLastStartMs === null) return 0;
  if (p.meanRunMs === null || !(p.meanRunMs > 0) || p.weightedRunMs === null || !(p.weightedRunMs > 0) || p.weightedRunMs < p.minRunMs) return 0;
  const left = Math.min(p.maxMs, (p.weightedRunMs * p.sharePct) / 100) - p.sinceLastStartMs;
  if (!(left > 0)) return 0;
  const expected = (p.inFlight * left) / p.meanRunMs;
  return expected < p.free ? 0 : Math.ceil(left);
}

/**
 * How many of `free` targets may start while `queued` items already wait in a queue the starts
 * will feed (remediation jobs for a lane, batched commands to be sent): none at or past `limit`,
 * and never more than the room left under it. `limit` 0 means no hold.
 */
export function startsUnderQueue(free: number, queued: number, limit: number): number {
  if (limit <= 0) return Math.max(0, free);
  return Math.max(0, Math.min(free, limit - queued));
}

/**
 * How many targets to start now: what the window and the cap leave free, but no more than the
 * wave still holds. Never negative; inFlight + result never exceeds the cap.
 */
export function slotsToStart(p: { cap: number; inFlight: number; okInWave: number; waveRemaining: number }): number {
  const window = rampWindow(p.okInWave, p.cap);
  return Math.max(0, Math.min(window - p.inFlight, Math.max(0, p.waveRemaining)));
}
