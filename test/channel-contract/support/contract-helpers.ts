import { CommandChannel, InvocationResult } from '@rdpfix/channel';
import { isTerminalCommandStatus } from '@rdpfix/domain';
import { randomUUID } from 'crypto';
import { CHANGING_SCRIPTS, renderScript, SCRIPT_PARAM_EXAMPLES, ScriptName } from '@rdpfix/runbook';
import type { RunningSimulator } from '../../../apps/agent-sim/src/simulator';

/** A script as the engine renders it: a changing one carries a fresh run id (the run-id guard). */
export function script(name: ScriptName): string {
  const params = CHANGING_SCRIPTS.has(name) ? { ...SCRIPT_PARAM_EXAMPLES[name], runId: randomUUID() } : SCRIPT_PARAM_EXAMPLES[name];
  return renderScript(name, params).text;
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Polls result() until `done` holds (default: a terminal status). */
export async function pollUntil(
  ch: CommandChannel,
  region: string,
  commandId: string,
  instanceId: string,
  done: (r: InvocationResult) => boolean = (r) => isTerminalCommandStatus(r.status),
  timeoutMs = 20_000,
): Promise<{ result: InvocationResult; seen: (string | null)[] }> {
  const until = Date.now() + timeoutMs;
  const seen: (string | null)[] = [];
  for (;;) {
    const r = await ch.result(region, commandId, instanceId);
    seen.push(r ? r.status : null);
    if (r && done(r)) return { result: r, seen };
    if (Date.now() > until) throw new Error(`no result for ${instanceId} after ${timeoutMs} ms: ${seen.slice(-5).join(',')}`);
    await sleep(40);
  }
}

/** What the simulated servers actually received (the ground truth of "sent"). */
export function received(sim: RunningSimulator, instanceId: string) {
  return sim.admin.commands(instanceId);
}

export function createInstances(sim: RunningSimulator, n: number, region: string, idStyle: 'aws' | 'jdcloud', preset = 'healthy'): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(sim.admin.createInstance({ tenantId: 'tenant-c', region, os: '2019', preset: preset as never, idStyle }).instanceId);
  }
  return ids;
}
