import type { MappedOutcome } from '../domain/target-outcome';
import type { StateCounts } from '../entities';

export interface WaveCounters {
  wave: number;
  size: number;
  started: number;
  finished: number;
  ok: number;
  /** Of `ok`, those whose change gate was open: the ramp grows with these only. */
  clearedOk: number;
  /** Of `clearedOk`, those fixed. */
  fixedOk: number;
  /** Changing commands that succeeded on the wave's targets whose gate was open (the listener counts them; a tick only reads it). */
  changesOk: number;
  errors: number;
  unreachable: number;
  startedAt: Date | null;
  doneAt: Date | null;
  /** Run time of the wave's ended remediations (ms, summed) and how many: their mean sizes start cohorts. */
  runMsSum: number;
  runsTimed: number;
  /** Sum of the squared run times, in s² (a sum of ms² would pass 2^53 at 100,000 targets). */
  runS2Sum: number;
  /** When the wave last started targets. */
  lastStartAt: Date | null;
}

type CountKey = keyof Required<StateCounts>;

/**
 * The counters one tick changes, kept in memory while the campaign row is locked and written
 * back at the end of the tick (pure bookkeeping, unit-tested).
 */
export class TickState {
  readonly counts: Required<StateCounts>;
  readonly outcomes: Record<string, number>;
  failures: number;
  unreachable: number;
  readonly waves: Map<number, WaveCounters>;
  readonly touchedWaves = new Set<number>();
  /** The claim's cursor (campaigns.next_seq). */
  nextSeq: number;

  constructor(c: { counts: StateCounts; outcomes: Record<string, number>; failures: number; unreachable: number; nextSeq?: number }, waves: WaveCounters[]) {
    this.nextSeq = c.nextSeq ?? 0;
    this.counts = { pending: 0, running: 0, parked: 0, approved: 0, done: 0, excluded: 0, ...c.counts };
    this.outcomes = { ...c.outcomes };
    this.failures = c.failures;
    this.unreachable = c.unreachable;
    this.waves = new Map(waves.map((w) => [w.wave, { ...w }]));
  }

  private bump(k: CountKey, n: number): void {
    this.counts[k] = Math.max(0, this.counts[k] + n);
  }

  private wave(n: number | null): WaveCounters | null {
    if (n === null) return null;
    const w = this.waves.get(n);
    if (w) this.touchedWaves.add(n);
    return w ?? null;
  }

  /**
   * A started target ended with `m` (from running, parked or approved); `runMs` is how long its
   * remediation ran (null when unknown or not representative, e.g. it waited for an approval).
   */
  finish(from: CountKey, wave: number | null, m: MappedOutcome, runMs: number | null = null, gateOpen = true): void {
    this.bump(from, -1);
    this.bump('done', 1);
    this.outcomes[m.outcome] = (this.outcomes[m.outcome] ?? 0) + 1;
    if (m.budget === 'error') this.failures++;
    if (m.budget === 'unreachable') this.unreachable++;
    const w = this.wave(wave);
    if (w) {
      w.finished++;
      if (runMs !== null && runMs >= 0) {
        w.runMsSum += Math.round(runMs);
        w.runsTimed++;
        w.runS2Sum += (runMs / 1000) ** 2;
      }
      if (m.budget === 'error') w.errors++;
      else {
        // Everything that may have changed its server and does not count against maxErrors opens
        // one more ramp slot; a target that ended before its gate opened changed nothing, so it
        // says nothing about the fix.
        w.ok++;
        if (gateOpen) w.clearedOk++;
        if (gateOpen && m.outcome === 'fixed') w.fixedOk++;
        if (m.budget === 'unreachable') w.unreachable++;
      }
    }
  }

  move(from: CountKey, to: CountKey, n = 1): void {
    this.bump(from, -n);
    this.bump(to, n);
  }

  /** `started` remediations created and `skipped` targets (another remediation active) in `wave`; `open`: with their change gate open. */
  claimed(wave: number, started: number, skipped: number, now: Date, open = true): void {
    this.bump('pending', -(started + skipped));
    this.bump('running', started);
    this.bump('done', skipped);
    if (skipped) this.outcomes.skipped = (this.outcomes.skipped ?? 0) + skipped;
    const w = this.wave(wave);
    if (w) {
      w.started += started + skipped;
      w.finished += skipped;
      w.ok += skipped;
      if (open) w.clearedOk += skipped;
      w.startedAt ??= now;
      if (started > 0) w.lastStartAt = now;
    }
  }

  /** The wave's mean run time so far (ms), or null before one of its remediations ended. */
  meanRunMs(wave: number): number | null {
    const w = this.waves.get(wave);
    return w && w.runsTimed > 0 ? w.runMsSum / w.runsTimed : null;
  }

  /**
   * The wave's time-weighted mean run time (ms): Σd² ÷ Σd, the run time of the target a slot in
   * flight belongs to. In a mix of 60 s fixes and 0.4 s unreachable agents the plain mean is
   * pulled down by the many short ones; this one is not.
   */
  weightedRunMs(wave: number): number | null {
    const w = this.waves.get(wave);
    return w && w.runMsSum > 0 ? (w.runS2Sum / (w.runMsSum / 1000)) * 1000 : null;
  }

  get inFlightOrParked(): number {
    return this.counts.running + this.counts.parked + this.counts.approved;
  }
}
