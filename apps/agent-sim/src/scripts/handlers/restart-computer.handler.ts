import { alreadyRestarted, RestartResult, restartCheckOf, ISO_SECONDS, RestartCheck } from '@rdpfix/runbook/contract';
import { SimInstance } from '../../model/instance';
import { ScriptContext, ScriptExecution } from '../script-execution';

/**
 * Schedules `shutdown /r /f /t N` and reports the current boot time. It does not restart a
 * server that already booted since (a re-delivered command): version 4 takes either the
 * server's own expected boot time (±120 s) or a batch's one-sided `bootedBefore`; versions 2
 * and 3 require the expected boot time; version 1 (no such parameter) is modelled as it was.
 */
export function runRestartComputer(inst: SimInstance, params: Record<string, string>, version: number, ctx: ScriptContext): ScriptExecution {
  const raw = params.delaySeconds ?? '';
  const delaySeconds = Number(raw);
  const v1 = version < 2;
  const bootTime = v1 ? inst.bootTime : new Date(inst.bootTime).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const base = { script: 'restart-computer' as const, version, scheduled: false, alreadyRestarted: false, delaySeconds: Number.isFinite(delaySeconds) ? delaySeconds : 0, bootTime };
  let error: string | null = null;
  let check: RestartCheck | null = null;
  if (!/^\d+$/.test(raw) || delaySeconds < 5 || delaySeconds > 600) error = 'bad parameters: delaySeconds must be 5..600';
  else if (version >= 4) {
    const c = restartCheckOf(params);
    if ('error' in c) error = c.error;
    else check = c;
  } else if (!v1) {
    const expected = params.expectedBootTime ?? '';
    if (!ISO_SECONDS.test(expected) || !Number.isFinite(Date.parse(expected))) error = 'bad parameters: expectedBootTime is not valid';
    else check = { kind: 'expectedBootTime', at: expected };
  }
  const echo = check?.kind === 'bootedBefore' ? { bootedBefore: check.at } : {};
  if (error !== null) {
    const result: RestartResult = { ...base, ok: false, error };
    return { result, log: [`error: ${error}`] };
  }
  if (check && alreadyRestarted(check, bootTime)) {
    const result: RestartResult = { ...base, ...echo, ok: true, alreadyRestarted: true };
    return { result, log: [`booted at ${bootTime}, after ${check.kind} ${check.at}: the restart already happened; not restarting again`] };
  }
  if (ctx.rebootScheduled) {
    const result: RestartResult = { ...base, ...echo, ok: false, error: 'shutdown.exe exit code 1190' };
    return { result, log: ['A system shutdown has already been scheduled.(1190)'] };
  }
  const result: RestartResult = { ...base, ...echo, ok: true, scheduled: true, delaySeconds };
  return {
    result,
    log: [`shutdown /r /f /t ${delaySeconds} /d p:4:1 /c "rdpfix"`],
    reboot: { delaySeconds },
  };
}
