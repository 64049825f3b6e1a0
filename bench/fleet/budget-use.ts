/**
 * Where the makespan went beyond the lower bound: the channel calls the budget allowed but nobody
 * made, per second of the run, split into the ramp (before the first second that used ≥ 90 % of
 * the rate), the tail (after the last such second) and the middle. Fed from the simulator's call
 * count; reported in seconds of budget (unused calls ÷ rate).
 */
export class BudgetUse {
  private readonly perSecond: number[] = [];
  private last = 0;

  constructor(
    private readonly rate: number,
    private readonly t0: number,
  ) {}

  /** The simulator's total calls so far, at `now` (ms). */
  sample(totalCalls: number, now = Date.now()): void {
    const s = Math.max(0, Math.floor((now - this.t0) / 1000));
    while (this.perSecond.length <= s) this.perSecond.push(0);
    this.perSecond[s] += totalCalls - this.last;
    this.last = totalCalls;
  }

  /** The summary, for a run of `makespanS` seconds (its last second counts only the part run). */
  summary(makespanS: number): { rampS: number; middleS: number; tailS: number; saturatedFrom: number; saturatedUntil: number } {
    const seconds = Math.ceil(makespanS);
    const used = Array.from({ length: seconds }, (_, i) => this.perSecond[i] ?? 0);
    const allowed = (i: number) => this.rate * Math.min(1, makespanS - i);
    const full = used.map((u, i) => u >= 0.9 * allowed(i));
    const first = full.indexOf(true);
    const lastFull = full.lastIndexOf(true);
    const unused = (from: number, to: number) => used.slice(from, to).reduce((sum, u, k) => sum + Math.max(0, allowed(from + k) - u), 0) / this.rate;
    if (first < 0) return { rampS: unused(0, seconds), middleS: 0, tailS: 0, saturatedFrom: -1, saturatedUntil: -1 };
    return { rampS: unused(0, first), middleS: unused(first, lastFull + 1), tailS: unused(lastFull + 1, seconds), saturatedFrom: first, saturatedUntil: lastFull + 1 };
  }
}
