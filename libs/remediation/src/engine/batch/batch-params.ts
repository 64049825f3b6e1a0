import { bootedBeforeFor, CHANGING_SCRIPTS, ScriptName } from '@rdpfix/runbook';
import { BATCH_BOOTED_BEFORE_PLACEHOLDER } from './batch-key';
import type { ClaimedRun } from './batch-store';

/** The runs of a batch whose boot time before the change is unknown, so no threshold covers them. */
export class MissingBootTimeError extends Error {
  constructor(readonly runIds: string[]) {
    super(`no boot time before the change for ${runIds.length} run(s) of the batch`);
  }
}

/**
 * The parameters a batch is rendered with, the same for every instance: the group's parameters
 * (identical by key), a changing script's `runId` = the batch id (run-id guard), and
 * restart-computer's `bootedBefore` = the latest boot time before the change among the batch's
 * runs + the tolerance (restart-check.ts), computed from the runs actually claimed.
 */
export function batchParams(batchId: string, scriptName: string, runs: Pick<ClaimedRun, 'id' | 'parameters' | 'boot_time_before'>[]): Record<string, string | number> {
  const params: Record<string, string | number> = { ...runs[0].parameters };
  if (CHANGING_SCRIPTS.has(scriptName as ScriptName)) params.runId = batchId;
  if (params.bootedBefore === BATCH_BOOTED_BEFORE_PLACEHOLDER) {
    const missing = runs.filter((r) => !r.boot_time_before).map((r) => r.id);
    if (missing.length) throw new MissingBootTimeError(missing);
    params.bootedBefore = bootedBeforeFor(runs.map((r) => r.boot_time_before!));
  }
  return params;
}
