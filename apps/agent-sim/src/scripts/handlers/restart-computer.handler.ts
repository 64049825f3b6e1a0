import { BOOT_TIME_TOLERANCE_MS, bootTimeChanged } from '@rdpfix/domain';
import { RestartResult } from '@rdpfix/runbook/contract';
import { SimInstance } from '../../model/instance';
import { ScriptContext, ScriptExecution } from '../script-execution';

const ISO_SECONDS = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;

/**
 * Schedules `shutdown /r /f /t N` and reports the current boot time. Version 2 requires the
 * expected boot time and does not restart a server that already booted since (a re-delivered
 * command); version 1 (no such parameter) is modelled as it was.
 */
export function runRestartComputer(inst: SimInstance, params: Record<string, string>, version: number, ctx: ScriptContext): ScriptExecution {
  const raw = params.delaySeconds ?? '';
  const delaySeconds = Number(raw);
  const v1 = version < 2;
  const bootTime = v1 ? inst.bootTime : new Date(inst.bootTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const base = { script: 'restart-computer' as const, version, scheduled: false, alreadyRestarted: false, delaySeconds: Number.isFinite(delaySeconds) ? delaySeconds : 0, bootTime };
  let error: string | null = null;
  const expected = params.expectedBootTime ?? '';
  if (!/^\d+$/.test(raw) || delaySeconds < 5 || delaySeconds > 600) error = 'bad parameters: delaySeconds must be 5..600';
  else if (!v1 && (!ISO_SECONDS.test(expected) || !Number.isFinite(Date.parse(expected)))) error = 'bad parameters: expectedBootTime is not valid';
  if (error !== null) {
    const result: RestartResult = { ...base, ok: false, error };
    return { result, log: [`error: ${error}`] };
  }
  if (!v1 && bootTimeChanged(expected, bootTime, BOOT_TIME_TOLERANCE_MS)) {
    const result: RestartResult = { ...base, ok: true, alreadyRestarted: true };
    return { result, log: [`booted at ${bootTime}, after ${expected}: the restart already happened; not restarting again`] };
  }
  if (ctx.rebootScheduled) {
    const result: RestartResult = { ...base, ok: false, error: 'shutdown.exe exit code 1190' };
    return { result, log: ['A system shutdown has already been scheduled.(1190)'] };
  }
  const result: RestartResult = { ...base, ok: true, scheduled: true, delaySeconds };
  return {
    result,
    log: [`shutdown /r /f /t ${delaySeconds} /d p:4:1 /c "rdpfix"`],
    reboot: { delaySeconds },
  };
}
