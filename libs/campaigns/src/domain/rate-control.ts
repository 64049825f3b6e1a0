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
