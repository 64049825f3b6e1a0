import { Injectable } from '@nestjs/common';

/** setTimeout caps delays at 2^31-1 ms; longer waits re-check when they wake. */
const MAX_DELAY_MS = 2_147_483_647;

/**
 * One keyed timer per pending transition. Re-scheduling a key replaces its timer, and
 * clearAll() lets close() leave no handle behind (so Jest exits).
 */
@Injectable()
export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  at(key: string, when: number, fn: () => void): void {
    this.cancel(key);
    if (this.closed || !Number.isFinite(when)) return;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, when - Date.now()));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      fn();
    }, delay);
    this.timers.set(key, timer);
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) {
      clearTimeout(t);
      this.timers.delete(key);
    }
  }

  get size(): number {
    return this.timers.size;
  }

  clearAll(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  close(): void {
    this.closed = true;
    this.clearAll();
  }
}
