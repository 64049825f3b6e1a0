/** Durations kept per region and script (the newest replace the oldest). */
const KEEP = 200;
/** Fewer samples than this: no estimate yet (the first read waits the configured poll interval). */
const MIN_SAMPLES = 20;
/** Read a little after the 90th percentile: a read that comes too early costs a call and a backoff. */
const MARGIN_SHARE = 0.1;
const MARGIN_MS = 25;
const FLOOR_MS = 50;

/**
 * How long a batched command of one script takes in one region, from our send to its end on the
 * server, learned from the results the collector reads. The first read of a new batch is made when
 * 90 % of recent commands of that script had ended, instead of a fixed poll interval: on the
 * simulator a command ends 0.35 s after its send and was read at 0.4–0.6 s; on a real channel a
 * 10 s script read every 2 s cost four empty reads per batch. A wrong estimate costs a read or
 * some latency, never a result: every read still records only what the provider reports.
 *
 * The end time is the provider's and the send time ours; with clocks off by more than the
 * margin the estimate is off by as much, bounded by the caller's limits. Kept per process.
 */
export class CompletionEstimates {
  private readonly recent = new Map<string, { ms: number[]; next: number }>();

  /** One command of `script` in `region` ended `ms` after our send (negative = clocks apart: ignored). */
  record(region: string, script: string, ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const key = `${region}\u0000${script}`;
    let r = this.recent.get(key);
    if (!r) this.recent.set(key, (r = { ms: [], next: 0 }));
    if (r.ms.length < KEEP) r.ms.push(ms);
    else r.ms[r.next] = ms;
    r.next = (r.next + 1) % KEEP;
  }

  /** When to read a batch of `script` first: the estimate within [FLOOR_MS, maxMs], or `fallbackMs` without one. */
  firstReadMs(region: string, script: string, fallbackMs: number, maxMs: number): number {
    const r = this.recent.get(`${region}\u0000${script}`);
    if (!r || r.ms.length < MIN_SAMPLES) return fallbackMs;
    const sorted = [...r.ms].sort((a, b) => a - b);
    const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)];
    return Math.round(Math.min(maxMs, Math.max(FLOOR_MS, p90 * (1 + MARGIN_SHARE) + MARGIN_MS)));
  }
}
