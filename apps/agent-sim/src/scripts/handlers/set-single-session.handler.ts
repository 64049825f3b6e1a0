import { SetSingleSessionResult } from '@rdpfix/runbook/contract';
import { SimInstance, readFails } from '../../model/instance';
import { ScriptExecution } from '../script-execution';

/** F1 and its rollback: WMI SetSingleSession(value), refused when Group Policy controls it. */
export function runSetSingleSession(inst: SimInstance, params: Record<string, string>, version: number): ScriptExecution {
  const before = { present: true, value: inst.singleSession.value };
  const base = { script: 'set-single-session' as const, version, before, after: before, changed: false };
  if (params.value !== '0' && params.value !== '1') {
    return fail({ ...base, ok: false, error: 'parameter value must be 0 or 1' });
  }
  if (readFails(inst, 'ts')) {
    return fail({ ...base, ok: false, error: `wmi: ${inst.readFailures.ts ?? 'Win32_TerminalServiceSetting unavailable'}` });
  }
  if (inst.singleSession.source === 'policy') {
    return fail({ ...base, ok: false, error: 'fSingleSessionPerUser is enforced by Group Policy; not changed' });
  }
  const value = Number(params.value) as 0 | 1;
  const result: SetSingleSessionResult = {
    ...base,
    ok: true,
    after: { present: true, value },
    changed: before.value !== value,
  };
  return {
    result,
    log: [`SingleSession before=${before.value} after=${value}`],
    apply: (target) => {
      target.singleSession.value = value;
    },
  };
}

function fail(result: SetSingleSessionResult): ScriptExecution {
  return { result, log: [`error: ${result.error}`] };
}
