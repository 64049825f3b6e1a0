import { RestartResult } from '@rdpfix/runbook/contract';
import { SimInstance } from '../../model/instance';
import { ScriptContext, ScriptExecution } from '../script-execution';

/** Schedules `shutdown /r /t N` and reports the current boot time so the caller can see it change. */
export function runRestartComputer(inst: SimInstance, params: Record<string, string>, version: number, ctx: ScriptContext): ScriptExecution {
  const raw = params.delaySeconds ?? '';
  const delaySeconds = Number(raw);
  const base = { script: 'restart-computer' as const, version, scheduled: false, delaySeconds: Number.isFinite(delaySeconds) ? delaySeconds : 0, bootTime: inst.bootTime };
  let error: string | null = null;
  if (!/^\d+$/.test(raw) || delaySeconds < 5 || delaySeconds > 600) error = 'parameter delaySeconds must be an integer from 5 to 600';
  else if (ctx.rebootScheduled) error = 'A system shutdown has already been scheduled.(1190)';
  if (error !== null) {
    const result: RestartResult = { ...base, ok: false, error };
    return { result, log: [`error: ${error}`] };
  }
  const result: RestartResult = { ...base, ok: true, scheduled: true, delaySeconds };
  return {
    result,
    log: [`shutdown /r /t ${delaySeconds} /d p:4:1 /c "rdpfix"`],
    reboot: { delaySeconds },
  };
}
