/**
 * Small seeded PRNG (mulberry32). Fault dice and fleet generation use it so a run with a
 * fixed `seed` is reproducible; Math.random would make flaky tests impossible to replay.
 */
export class Rng {
  private state: number;

  constructor(seed: number | null = null) {
    this.state = (seed ?? Math.floor(Math.random() * 0xffffffff)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p (p <= 0 never, p >= 1 always, without consuming a draw). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  hex(len: number): string {
    let s = '';
    for (let i = 0; i < len; i++) s += this.int(16).toString(16);
    return s;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}
