import { Rng } from '../../../apps/agent-sim/src/common/rng';

/** The simulator's seeded PRNG as a function, so a fault schedule can be replayed from its seed. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/** Seeds for a scenario: FAULT_SEEDS=1,2,3 overrides the defaults. */
export function seeds(defaults: number[]): number[] {
  const env = process.env.FAULT_SEEDS;
  return env ? env.split(',').map((s) => Number(s.trim())).filter((n) => Number.isFinite(n)) : defaults;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes (then throws `what`). */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
