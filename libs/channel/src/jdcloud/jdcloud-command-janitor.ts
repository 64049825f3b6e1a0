import { Logger } from '@nestjs/common';
import { JdcloudApiError } from './jdcloud-errors';

/**
 * Deletes finished Cloud Assistant commands (deleteCommands) a delay after their invocation was
 * seen finished, in the background, ≤ 100 per call per region, never failing the caller. In
 * memory: a process that dies first leaves its commands behind (harmless, named `rdpfix.*`).
 */
export class CommandJanitor {
  private readonly log = new Logger('JdcloudCommandJanitor');
  /** region → JD commandId → when it may be deleted (ms). */
  private readonly due = new Map<string, Map<string, number>>();
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly deleteDelayS: number,
    private readonly deleteCommands: (region: string, ids: string[]) => Promise<void>,
  ) {}

  /** Marks a command for deletion after the delay (idempotent). */
  forget(region: string, jdCommandId: string): void {
    let m = this.due.get(region);
    if (!m) this.due.set(region, (m = new Map()));
    if (!m.has(jdCommandId)) m.set(jdCommandId, Date.now() + this.deleteDelayS * 1000);
  }

  /** Starts deleting what is due in `region`, unless a deletion already runs there. */
  sweep(region: string): void {
    if (this.running.has(region)) return;
    const m = this.due.get(region);
    if (!m) return;
    const now = Date.now();
    const ids = [...m.entries()].filter(([, at]) => at <= now).map(([id]) => id).slice(0, 100);
    if (!ids.length) return;
    const run = this.deleteCommands(region, ids)
      .catch((err) => {
        // Already gone counts as deleted; anything else stays queued for the next sweep.
        if (err instanceof JdcloudApiError && err.code === 404) return;
        throw err;
      })
      .then(() => ids.forEach((id) => m.delete(id)))
      .catch((err) => this.log.warn(`deleteCommands in ${region} failed (will retry): ${(err as Error).message}`))
      .finally(() => this.running.delete(region));
    this.running.set(region, run);
  }

  /** Deletes every due command now — every known one with `ignoreDelay` (tests, shutdown). */
  async flush(ignoreDelay = false): Promise<void> {
    for (const [region, m] of this.due) {
      await this.running.get(region);
      if (ignoreDelay) for (const id of m.keys()) m.set(id, 0);
      for (let guard = 0; guard < 100 && m.size > 0; guard++) {
        const before = m.size;
        this.sweep(region);
        const run = this.running.get(region);
        if (!run) break;
        await run;
        if (m.size === before) break; // a failed delete stays queued for the next sweep
      }
    }
  }

  pending(): number {
    let n = 0;
    for (const m of this.due.values()) n += m.size;
    return n;
  }

  async idle(): Promise<void> {
    await Promise.all([...this.running.values()]);
  }
}
