import { Json, Stack } from '../../support/stack';

/** Seeds every scenario runs over (the simulator's RNG: which sends drop, which calls throttle). */
export const SEEDS = [11, 23, 37];

export interface LedgerRun {
  script: string;
  runId: string;
  received: number;
  executed: number;
  refused: number;
}

/** What the simulated server received and executed, by changing script and run id. */
export async function ledger(stack: Stack, instanceId: string): Promise<{ runs: LedgerRun[]; byScript: Record<string, { received: number; executed: number; refused: number }> }> {
  const res = await stack.http('GET', `${stack.simUrl}/admin/instances/${instanceId}/ledger`);
  if (res.status !== 200) throw new Error(`ledger ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Sends the simulator holds open right now (fault holdSends). */
export async function heldSends(stack: Stack): Promise<Json[]> {
  return (await stack.http('GET', `${stack.simUrl}/admin/held-sends`)).body.held;
}

/**
 * Every way a changing command reached the server more than once: a run id received or executed
 * twice, or one script received under two run ids (two runs for one purpose). Empty = at most once.
 */
export function duplicates(l: { runs: LedgerRun[] }): string[] {
  const out: string[] = [];
  const perScript = new Map<string, number>();
  for (const r of l.runs) {
    if (r.received > 1) out.push(`${r.script} run ${r.runId} received ${r.received} times`);
    if (r.executed > 1) out.push(`${r.script} run ${r.runId} executed ${r.executed} times`);
    perScript.set(r.script, (perScript.get(r.script) ?? 0) + r.received);
  }
  for (const [script, n] of perScript) if (n > 1) out.push(`${script} received ${n} times in all`);
  return out;
}

/** Waits (bounded) until `probe` returns a value that is not undefined. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000, everyMs = 25): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Sets the JD Cloud front end's settings and faults (merged over the current ones). */
export async function setJdConfig(stack: Stack, patch: Json): Promise<void> {
  const res = await stack.http('PUT', `${stack.simUrl}/admin/jdcloud/config`, patch);
  if (res.status >= 300) throw new Error(`jd config ${res.status} ${JSON.stringify(res.body)}`);
}
